// SHA-256 and HMAC-SHA256 for @smithy/signature-v4 (its `sha256` option takes any class of this
// shape), in place of @aws-crypto/sha256-js on cc-helper's paths. Why not that package: its block
// function is a loop that V8 optimises mid-run in about half of the helper's runs (see
// scripts/generate-sha256-block.ts), which made `get`'s time depend on the secret and the clock.
// Why not node:crypto: loading it loads Node's streams, which costs more than hashing a few
// hundred bytes in JavaScript. test/sha256.test.ts compares it with node:crypto.
import type { Checksum, SourceData } from '@smithy/types';
import { compressBlock } from './sha256-block.js';

const BLOCK = 64;
const INITIAL_STATE = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

function toBytes(data: SourceData): Uint8Array {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

/** The bare hash: blocks in, 32 bytes out. */
class RawSha256 {
  private readonly state = Int32Array.from(INITIAL_STATE);
  private readonly pending = new Uint8Array(BLOCK);
  private pendingLength = 0;
  private bytesHashed = 0;

  update(bytes: Uint8Array): void {
    this.bytesHashed += bytes.length;
    let from = 0;
    if (this.pendingLength > 0) {
      from = Math.min(BLOCK - this.pendingLength, bytes.length);
      this.pending.set(bytes.subarray(0, from), this.pendingLength);
      this.pendingLength += from;
      if (this.pendingLength < BLOCK) return;
      compressBlock(this.state, this.pending, 0);
      this.pendingLength = 0;
    }
    for (; from + BLOCK <= bytes.length; from += BLOCK) compressBlock(this.state, bytes, from);
    this.pending.set(bytes.subarray(from), 0);
    this.pendingLength = bytes.length - from;
  }

  digest(): Uint8Array {
    // Padding: 0x80, zeros, then the message length in bits as a 64-bit big-endian number.
    const bits = this.bytesHashed * 8;
    const tail = new Uint8Array(this.pendingLength < BLOCK - 8 ? BLOCK : 2 * BLOCK);
    tail.set(this.pending.subarray(0, this.pendingLength));
    tail[this.pendingLength] = 0x80;
    const view = new DataView(tail.buffer);
    view.setUint32(tail.length - 8, Math.floor(bits / 0x100000000));
    view.setUint32(tail.length - 4, bits >>> 0);
    for (let offset = 0; offset < tail.length; offset += BLOCK) compressBlock(this.state, tail, offset);
    const out = new Uint8Array(32);
    const outView = new DataView(out.buffer);
    for (let i = 0; i < 8; i++) outView.setInt32(4 * i, this.state[i]!);
    return out;
  }
}

/** SHA-256, or HMAC-SHA256 when constructed with a key; @smithy/types' Checksum. */
export class Sha256 implements Checksum {
  readonly digestLength = 32;
  private readonly innerPad: Uint8Array | undefined;
  private readonly outerPad: Uint8Array | undefined;
  private hash!: RawSha256;
  /** The digest once taken: asked again it is the same; update() after it is an error (as in @aws-crypto). */
  private result: Uint8Array | undefined;

  constructor(secret?: SourceData) {
    if (secret !== undefined) {
      let key = toBytes(secret);
      if (key.length > BLOCK) key = sha256(key);
      this.innerPad = new Uint8Array(BLOCK).fill(0x36);
      this.outerPad = new Uint8Array(BLOCK).fill(0x5c);
      for (let i = 0; i < key.length; i++) {
        this.innerPad[i]! ^= key[i]!;
        this.outerPad[i]! ^= key[i]!;
      }
    }
    this.reset();
  }

  update(data: SourceData): void {
    if (this.result !== undefined) throw new Error('Sha256: update() after digest(); call reset() first');
    this.hash.update(toBytes(data));
  }

  digestSync(): Uint8Array {
    if (this.result === undefined) {
      const inner = this.hash.digest();
      if (this.outerPad === undefined) {
        this.result = inner;
      } else {
        const outer = new RawSha256();
        outer.update(this.outerPad);
        outer.update(inner);
        this.result = outer.digest();
      }
    }
    return this.result.slice();
  }

  async digest(): Promise<Uint8Array> {
    return this.digestSync();
  }

  reset(): void {
    this.result = undefined;
    this.hash = new RawSha256();
    if (this.innerPad !== undefined) this.hash.update(this.innerPad);
  }
}

/** SHA-256 of `data` in one call. */
export function sha256(data: SourceData): Uint8Array {
  const hash = new RawSha256();
  hash.update(toBytes(data));
  return hash.digest();
}

// The default vault: one JSON file, the secrets inside encrypted with AES-256-GCM under a key
// that scrypt derives from a passphrase. Works wherever Node runs; nothing native.
//
// File format (version 2):
//   { "format": "cc-helper vault", "version": 2,
//     "kdf":    { "name": "scrypt", "N": 65536, "r": 8, "p": 1, "salt": b64, "check": b64 },
//     "cipher": { "name": "aes-256-gcm", "nonce": b64, "tag": b64 },
//     "items":  { "<name>": { "accessKeyIdMasked": "****************ABCD", "createdAt": iso } },
//     "ciphertext": b64,         // plaintext: {"items":{"<name>":{accessKeyId, secretAccessKey, createdAt}}}
//     "integrity": b64 }         // SHA-256 of everything above (see integrityOf)
//
// - `items` is in clear so that `list` (names, masked key ids, key age) and "is there such an
//   item?" need no passphrase: nothing in it lets anyone use a key, and profile names are in
//   clear in ~/.aws/config anyway. It is authenticated: every header field, `items` included, is
//   the cipher's associated data, so any edit fails the next unlock as "damaged".
// - scrypt gives 64 bytes: the first 32 are the AES key, the last 32 key an HMAC whose first 16
//   bytes are stored as `check`. That tells a wrong passphrase from a damaged file (GCM alone
//   cannot) and makes guessing no cheaper: each guess still costs one scrypt.
// - `integrity` tells a damaged or hand-edited file from a wrong passphrase before anything is
//   asked or derived: an edited salt or check otherwise looks exactly like a wrong passphrase.
//   It is unkeyed (no secret exists apart from the passphrase), so it catches damage and edits,
//   not someone who recomputes it; such a person still cannot read or substitute anything (the
//   header is the cipher's associated data) and at worst gets the edit reported as "wrong passphrase".
// - scrypt's parameters are bounded to what cc-helper writes (N = 2^15..2^17, r = 8, p = 1),
//   checked before any key is derived: a header asking for N=2^20, r=32, p=16 costs gigabytes.
// - Version 1 (the same without `integrity`) is still read; the next write makes it version 2.
// - Every write draws a new salt and nonce, so a key and nonce never repeat.
// - Writes: under a lock file, re-read, write a temp file (0600) beside the vault, fsync,
//   rename over it. Readers need no lock: they see the old file or the new one.
// - Nothing is written unless the passphrase was right and the file authenticated.
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { chmod, mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { writeFileAtomic } from '../support/atomic-file.js';
import { readFileOrThrow } from '../support/bounded-file.js';
import { ccHelperConfigDir } from '../support/config-dir.js';
import { withFileLock } from '../support/file-lock.js';
import { checkReplaceable, replaceTargetOf } from '../support/replace-target.js';
import { UserError } from '../support/errors.js';
import { silentTrace, type Trace } from '../support/trace.js';
import { createPassphraseSource, PASSPHRASE_ENV, type Passphrase, type PassphraseSource } from './passphrase.js';
import {
  byName,
  checkItem,
  checkItemName,
  copyItem,
  listingOf,
  type OpenVaultOptions,
  type Vault,
  type VaultItem,
  type VaultListing,
} from './vault.js';

export const VAULT_FILE_ENV = 'CC_HELPER_VAULT_FILE';
const FORMAT = 'cc-helper vault';
/** A few hundred bytes an entry: far more than anyone's vault. */
const MAX_VAULT_BYTES = 16 * 1024 * 1024;
const VERSION = 2;
/** Version 1 files (no integrity digest) are read, and written as version 2 next time. */
const OLDEST_READABLE_VERSION = 1;
/** Measured on the CI machine (2 cores): 2^15 ≈ 63 ms, 2^16 ≈ 126 ms, 2^17 ≈ 260 ms. */
export const DEFAULT_SCRYPT_LOG_N = 16;
const WRITE_LOG_N = { min: 15, max: 17 };
/** What a file may ask for when read: exactly what cc-helper writes, nothing costlier. */
const READ_LIMITS = { logN: WRITE_LOG_N, r: { min: 8, max: 8 }, p: { min: 1, max: 1 } };
const CHECK_LABEL = 'cc-helper vault passphrase check';
const LOCK = { timeoutMs: 15_000, staleMs: 60_000 };

export type EncryptedFileVaultOptions = Pick<OpenVaultOptions, 'env' | 'trace' | 'file' | 'passphrase' | 'fallbackHint' | 'scryptLogN'>;

/** `CC_HELPER_VAULT_FILE`, else `vault.json` in cc-helper's folder (`~/.config/cc-helper`). */
export function defaultVaultFile(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env[VAULT_FILE_ENV];
  return resolve(configured || join(ccHelperConfigDir(env), 'vault.json'));
}

interface KdfParams {
  name: 'scrypt';
  N: number;
  r: number;
  p: number;
  salt: string;
  check: string;
}

interface Header {
  format: typeof FORMAT;
  version: number;
  kdf: KdfParams;
  cipher: { name: 'aes-256-gcm'; nonce: string; tag: string };
  items: Record<string, { accessKeyIdMasked: string; createdAt: string }>;
}

interface VaultFile extends Header {
  ciphertext: string;
  /** Required from version 2 on. */
  integrity?: string;
}

interface DerivedKeys {
  key: Buffer;
  check: Buffer;
}

export class EncryptedFileVault implements Vault {
  readonly location: string;
  readonly #passphraseSource: PassphraseSource;
  readonly #logN: number;
  readonly #trace: Trace;
  #passphrase: Passphrase | undefined;
  /** Keys derived from the current passphrase by "N:r:p:salt": each is derived at most once. */
  readonly #keys = new Map<string, DerivedKeys>();

  constructor(options: EncryptedFileVaultOptions = {}) {
    const env = options.env ?? process.env;
    this.location = options.file ? resolve(options.file) : defaultVaultFile(env);
    this.#passphraseSource = options.passphrase ?? createPassphraseSource({ env, fallbackHint: options.fallbackHint });
    this.#logN = options.scryptLogN ?? DEFAULT_SCRYPT_LOG_N;
    if (!Number.isInteger(this.#logN) || this.#logN < WRITE_LOG_N.min || this.#logN > WRITE_LOG_N.max) {
      throw new Error(`scryptLogN must be an integer from ${WRITE_LOG_N.min} to ${WRITE_LOG_N.max}`);
    }
    this.#trace = options.trace ?? silentTrace;
  }

  async list(): Promise<VaultListing[]> {
    const file = await this.#read();
    if (!file) return [];
    return Object.entries(file.items)
      .map(([name, meta]) => ({ name, accessKeyIdMasked: meta.accessKeyIdMasked, createdAt: meta.createdAt }))
      .sort(byName);
  }

  async get(name: string): Promise<VaultItem | undefined> {
    const file = await this.#read();
    if (!file || !Object.hasOwn(file.items, name)) return undefined;
    const items = await this.#open(file);
    const item = items.get(name);
    return item && copyItem(item);
  }

  async put(name: string, item: VaultItem): Promise<void> {
    checkItemName(name);
    checkItem(item);
    const stored = copyItem(item);
    // Ask and check the passphrase before taking the lock: a person may take a while to type.
    const before = await this.#read();
    if (before) await this.#open(before);
    else await this.#passphraseFor('create');
    await this.#locked(async () => {
      const current = await this.#read();
      const items = current ? await this.#open(current) : new Map<string, VaultItem>();
      items.set(name, stored);
      await this.#write(items);
    });
  }

  async remove(name: string): Promise<boolean> {
    const before = await this.#read();
    if (!before || !Object.hasOwn(before.items, name)) return false;
    await this.#open(before);
    return this.#locked(async () => {
      const current = await this.#read();
      if (!current || !Object.hasOwn(current.items, name)) return false;
      const items = await this.#open(current);
      items.delete(name);
      await this.#write(items);
      return true;
    });
  }

  // --- reading -------------------------------------------------------------------------------

  /** The parsed, shape-checked file, or undefined when there is none yet. */
  async #read(): Promise<VaultFile | undefined> {
    let text: string;
    try {
      // Bounded (a FIFO there would hang every command); its integrity is the vault's own digest.
      text = readFileOrThrow(this.location, MAX_VAULT_BYTES, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      if (error instanceof UserError) throw error;
      throw new UserError(`cannot read vault ${this.location}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      // JSON.parse's message quotes the text: say nothing of it.
      throw this.#damaged('not valid JSON (truncated?)');
    }
    return this.#checkShape(data);
  }

  #checkShape(data: unknown): VaultFile {
    if (!isObject(data) || data.format !== FORMAT) throw this.#damaged('not a cc-helper vault file');
    if (typeof data.version !== 'number') throw this.#damaged('no format version');
    if (data.version > VERSION) {
      throw new UserError(`vault ${this.location} has format version ${data.version}, newer than this cc-helper reads: upgrade cc-helper`);
    }
    if (!Number.isInteger(data.version) || data.version < OLDEST_READABLE_VERSION) throw this.#damaged(`unknown format version ${data.version}`);
    const { kdf, cipher, items, ciphertext } = data;
    if (!isObject(kdf) || kdf.name !== 'scrypt') throw this.#damaged('unknown key derivation');
    const logN = typeof kdf.N === 'number' ? Math.log2(kdf.N) : NaN;
    if (!Number.isInteger(logN) || logN < READ_LIMITS.logN.min || logN > READ_LIMITS.logN.max) throw this.#damaged('scrypt N out of range');
    if (!inRange(kdf.r, READ_LIMITS.r) || !inRange(kdf.p, READ_LIMITS.p)) throw this.#damaged('scrypt r or p out of range');
    if (!isBase64(kdf.salt, 16, 64)) throw this.#damaged('bad salt');
    if (!isBase64(kdf.check, 16, 16)) throw this.#damaged('bad passphrase check');
    if (!isObject(cipher) || cipher.name !== 'aes-256-gcm') throw this.#damaged('unknown cipher');
    if (!isBase64(cipher.nonce, 12, 12)) throw this.#damaged('bad nonce');
    if (!isBase64(cipher.tag, 16, 16)) throw this.#damaged('bad authentication tag');
    if (!isObject(items)) throw this.#damaged('no item list');
    for (const meta of Object.values(items)) {
      if (!isObject(meta) || typeof meta.accessKeyIdMasked !== 'string' || typeof meta.createdAt !== 'string') {
        throw this.#damaged('bad item list');
      }
    }
    if (!isBase64(ciphertext, 0, Infinity)) throw this.#damaged('bad ciphertext');
    const file = data as unknown as VaultFile;
    if (data.version >= 2) {
      const stored = isBase64(data.integrity, 32, 32) ? Buffer.from(data.integrity, 'base64') : undefined;
      if (!stored || !timingSafeEqual(stored, integrityOf(file))) {
        throw this.#damaged('its header or contents were changed (the integrity digest does not match)');
      }
    }
    return file;
  }

  /** Checks the passphrase, authenticates and decrypts. Asks for the passphrase at most once. */
  async #open(file: VaultFile): Promise<Map<string, VaultItem>> {
    const passphrase = await this.#passphraseFor('unlock');
    const keys = await this.#derive(passphrase.value, file.kdf);
    if (!timingSafeEqual(keys.check, Buffer.from(file.kdf.check, 'base64'))) {
      // Forget it (and what was derived from it) so that the next attempt asks again.
      this.#passphrase = undefined;
      this.#keys.clear();
      const from = passphrase.origin === PASSPHRASE_ENV ? ` (from ${PASSPHRASE_ENV})` : '';
      throw new UserError(`wrong passphrase for vault ${this.location}${from}`);
    }
    let plaintext: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-gcm', keys.key, Buffer.from(file.cipher.nonce, 'base64'));
      decipher.setAAD(associatedData(file));
      decipher.setAuthTag(Buffer.from(file.cipher.tag, 'base64'));
      plaintext = Buffer.concat([decipher.update(Buffer.from(file.ciphertext, 'base64')), decipher.final()]);
    } catch {
      throw this.#damaged('its contents do not authenticate (changed or corrupted)');
    }
    try {
      return this.#parseSecrets(plaintext, file);
    } finally {
      plaintext.fill(0);
    }
  }

  #parseSecrets(plaintext: Buffer, file: VaultFile): Map<string, VaultItem> {
    let data: unknown;
    try {
      data = JSON.parse(plaintext.toString('utf8'));
    } catch {
      // Never repeat JSON.parse's message here: it would quote decrypted secrets.
      throw this.#damaged('the decrypted contents are not valid JSON');
    }
    if (!isObject(data) || !isObject(data.items)) throw this.#damaged('the decrypted contents have no items');
    const items = new Map<string, VaultItem>();
    for (const [name, value] of Object.entries(data.items)) {
      if (!isObject(value)) throw this.#damaged(`item "${name}" is malformed`);
      const item = { accessKeyId: value.accessKeyId, secretAccessKey: value.secretAccessKey, createdAt: value.createdAt } as VaultItem;
      try {
        checkItem(item);
      } catch {
        throw this.#damaged(`item "${name}" is malformed`);
      }
      items.set(name, item);
    }
    const clear = Object.keys(file.items).sort().join('\n');
    if ([...items.keys()].sort().join('\n') !== clear) throw this.#damaged('the item list does not match the encrypted items');
    return items;
  }

  // --- writing -------------------------------------------------------------------------------

  async #write(items: Map<string, VaultItem>): Promise<void> {
    const passphrase = await this.#passphraseFor('unlock');
    const N = 2 ** this.#logN;
    const salt = randomBytes(16).toString('base64');
    const keys = await this.#derive(passphrase.value, { N, r: 8, p: 1, salt });
    const entries = [...items].sort(([a], [b]) => byName({ name: a }, { name: b }));
    const header: Header = {
      format: FORMAT,
      version: VERSION,
      kdf: { name: 'scrypt', N, r: 8, p: 1, salt, check: keys.check.toString('base64') },
      cipher: { name: 'aes-256-gcm', nonce: randomBytes(12).toString('base64'), tag: '' },
      items: Object.fromEntries(entries.map(([name, item]) => {
        const { accessKeyIdMasked, createdAt } = listingOf(name, item);
        return [name, { accessKeyIdMasked, createdAt }];
      })),
    };
    const plaintext = Buffer.from(JSON.stringify({ items: Object.fromEntries(entries) }), 'utf8');
    const cipher = createCipheriv('aes-256-gcm', keys.key, Buffer.from(header.cipher.nonce, 'base64'));
    cipher.setAAD(associatedData(header));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    plaintext.fill(0);
    header.cipher.tag = cipher.getAuthTag().toString('base64');
    const file: VaultFile = { ...header, ciphertext: ciphertext.toString('base64') };
    file.integrity = integrityOf(file).toString('base64');
    await this.#replaceFile(JSON.stringify(file, null, 2) + '\n');
    this.#trace(`wrote vault ${this.location} (${items.size} item${items.size === 1 ? '' : 's'}, scrypt N=2^${this.#logN})`);
  }

  /** Temp file beside the vault (0600), fsync, rename, fsync the directory (support/atomic-file.ts). */
  async #replaceFile(text: string): Promise<void> {
    // A symlinked vault is written where it points; a dangling link or a read-only file is refused.
    const target = await replaceTargetOf(this.location);
    await checkReplaceable(target, this.location);
    try {
      await writeFileAtomic(target, text, { mode: 0o600 });
    } catch (error) {
      throw new UserError(`cannot write vault ${this.location}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; it was left as it was`);
    }
  }

  async #locked<T>(fn: () => Promise<T>): Promise<T> {
    await this.#ensureFolder();
    return withFileLock(`${this.location}.lock`, fn, LOCK);
  }

  /** The vault's folder; a new one is 0700 (an existing one is the user's and left as it is). */
  async #ensureFolder(): Promise<void> {
    const dir = dirname(this.location);
    try {
      const created = await mkdir(dir, { recursive: true, mode: 0o700 });
      if (created !== undefined) await chmod(dir, 0o700).catch(() => {});
    } catch (error) {
      throw new UserError(`cannot create the folder for vault ${this.location}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }

  // --- keys ----------------------------------------------------------------------------------

  async #passphraseFor(purpose: 'unlock' | 'create'): Promise<Passphrase> {
    if (!this.#passphrase) this.#passphrase = await this.#passphraseSource(purpose, this.location);
    return this.#passphrase;
  }

  async #derive(passphrase: string, params: { N: number; r: number; p: number; salt: string }): Promise<DerivedKeys> {
    const id = `${params.N}:${params.r}:${params.p}:${params.salt}`;
    const cached = this.#keys.get(id);
    if (cached) return cached;
    const started = Date.now();
    const bytes = await new Promise<Buffer>((resolvePromise, reject) => {
      scrypt(passphrase, Buffer.from(params.salt, 'base64'), 64, {
        N: params.N,
        r: params.r,
        p: params.p,
        maxmem: 128 * params.N * params.r * params.p + 32 * 1024 * 1024,
      }, (error, key) => (error ? reject(error) : resolvePromise(key)));
    });
    this.#trace(`derived the vault key (scrypt N=2^${Math.log2(params.N)}, r=${params.r}, p=${params.p}) in ${Date.now() - started} ms`);
    const keys = {
      key: bytes.subarray(0, 32),
      check: createHmac('sha256', bytes.subarray(32)).update(CHECK_LABEL).digest().subarray(0, 16),
    };
    this.#keys.set(id, keys);
    return keys;
  }

  #damaged(detail: string): UserError {
    return new UserError(`vault ${this.location} is damaged: ${detail}; nothing was changed (restore it from a backup, or move it aside and add the keys again)`);
  }
}

/** Every header field but the tag, in a fixed order: editing any of them fails authentication. */
function associatedData(header: Header): Buffer {
  const { kdf, cipher } = header;
  const items = Object.keys(header.items).sort().map((name) => [name, header.items[name]!.accessKeyIdMasked, header.items[name]!.createdAt]);
  return Buffer.from(JSON.stringify([header.format, header.version, kdf.name, kdf.N, kdf.r, kdf.p, kdf.salt, kdf.check, cipher.name, cipher.nonce, items]), 'utf8');
}

/** SHA-256 over every field but itself: the associated data, the tag and the ciphertext. */
function integrityOf(file: VaultFile): Buffer {
  return createHash('sha256')
    .update(JSON.stringify([associatedData(file).toString('utf8'), file.cipher.tag, file.ciphertext]), 'utf8')
    .digest();
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function inRange(value: unknown, { min, max }: { min: number; max: number }): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

function isBase64(value: unknown, minBytes: number, maxBytes: number): value is string {
  if (typeof value !== 'string' || value.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) return false;
  const bytes = Buffer.from(value, 'base64').length;
  return bytes >= minBytes && bytes <= maxBytes;
}

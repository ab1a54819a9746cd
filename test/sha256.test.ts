// cc-helper's own SHA-256 (src/crypto): the same bytes as node:crypto for any input and key, a
// committed block function that is what the generator makes, and the reason it exists: a `get`
// never makes V8 optimise the hash in the middle of the run.
import test from 'ava';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSha256Block } from '../scripts/generate-sha256-block.js';
import { Sha256, sha256 } from '../src/crypto/sha256.js';
import { makeAwsHome, PACKAGE_ROOT, request } from '../standins/helper-process.js';
import { run } from '../standins/git-env.js';
import { prng } from './support/prng.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

test('the committed block function is what the generator makes', (t) => {
  t.is(readFileSync(join(PACKAGE_ROOT, 'src', 'crypto', 'sha256-block.ts'), 'utf8'), generateSha256Block());
});

test('SHA-256 of every length around the block and padding edges, fed in random pieces, matches node:crypto', (t) => {
  const next = prng(256);
  for (let length = 0; length <= 300; length++) {
    const data = randomBytes(length);
    t.is(hex(sha256(data)), createHash('sha256').update(data).digest('hex'), `length ${length}, one piece`);
    const hash = new Sha256();
    for (let from = 0; from < length; ) {
      const to = Math.min(length, from + 1 + Math.floor(next() * 70));
      hash.update(data.subarray(from, to));
      from = to;
    }
    t.is(hex(hash.digestSync()), createHash('sha256').update(data).digest('hex'), `length ${length}, in pieces`);
  }
  const large = randomBytes(1 << 20);
  t.is(hex(sha256(large)), createHash('sha256').update(large).digest('hex'), '1 MiB');
});

test('HMAC-SHA256 matches node:crypto for keys shorter than, equal to and longer than a block', async (t) => {
  for (const keyLength of [0, 1, 20, 32, 44, 63, 64, 65, 100, 200]) {
    const key = randomBytes(keyLength);
    const data = randomBytes(keyLength * 3 + 1);
    const hmac = new Sha256(key);
    hmac.update(data);
    t.is(hex(await hmac.digest()), createHmac('sha256', key).update(data).digest('hex'), `key of ${keyLength} bytes`);
  }
});

test('strings are UTF-8, and ArrayBuffers and other views are read as their bytes', async (t) => {
  const text = 'AWS4wJalr/K7MDENG+bPxRfiCY\u00e9\u4e2d\ud83d\ude00';
  const fromString = new Sha256(text);
  fromString.update('20260101');
  const expected = createHmac('sha256', Buffer.from(text, 'utf8')).update('20260101').digest('hex');
  t.is(hex(await fromString.digest()), expected);
  const bytes = Buffer.from('the quick brown fox');
  const padded = new Uint8Array(bytes.length + 8);
  padded.set(bytes, 4);
  const view = new DataView(padded.buffer, 4, bytes.length);
  const arrayBuffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
  for (const input of [view, arrayBuffer, new Uint8Array(bytes)]) t.is(hex(sha256(input)), createHash('sha256').update(bytes).digest('hex'));
});

test('reset() starts over with the same key, as @smithy/signature-v4 expects of a Checksum', async (t) => {
  const hmac = new Sha256('key');
  hmac.update('discarded');
  hmac.reset();
  hmac.update('kept');
  t.is(hex(await hmac.digest()), createHmac('sha256', 'key').update('kept').digest('hex'));
});

test('a digest asked twice is the same, and update() after it is refused until reset()', async (t) => {
  const hmac = new Sha256('key');
  hmac.update('data');
  const first = hex(await hmac.digest());
  t.is(hex(await hmac.digest()), first);
  t.is(first, createHmac('sha256', 'key').update('data').digest('hex'));
  t.throws(() => hmac.update('more'), { message: /after digest/ });
  hmac.reset();
  hmac.update('more');
  t.is(hex(hmac.digestSync()), createHmac('sha256', 'key').update('more').digest('hex'));
});

// V8 writes "[marking <JSFunction name ...> for optimization to TURBOFAN ...]" under --trace-opt.
const OPTIMISED = /marking .*<JSFunction ([^ >]+)[^\]]*for optimization/g;

function optimisedFunctions(stdout: string): string[] {
  return [...stdout.matchAll(OPTIMISED)].map((m) => m[1]!);
}

test('the trace this file relies on does report a hash loop V8 optimises (control)', async (t) => {
  // The same hash run for far more blocks than a get needs: V8 must optimise it, and say so.
  const home = makeAwsHome();
  t.teardown(home.cleanup);
  const script = join(home.home, 'hot.mjs');
  writeFileSync(script, `import { sha256 } from ${JSON.stringify(join(PACKAGE_ROOT, 'dist', 'src', 'crypto', 'sha256.js'))};\nsha256(new Uint8Array(64 * 20000));\n`);
  const result = await run(process.execPath, ['--trace-opt', script], { env: { PATH: process.env.PATH } });
  t.is(result.code, 0, result.stderr);
  t.true(optimisedFunctions(result.stdout).some((name) => name.includes('compressBlock')), result.stdout.slice(0, 2000));
});

test('a get signs with random secrets without V8 optimising the hash mid-run', async (t) => {
  // With @aws-crypto/sha256-js about half of these runs optimised its block loop: 5-15 ms and
  // 4 MB more per run, depending on the secret and the clock.
  const optimised: string[] = [];
  for (let i = 0; i < 8; i++) {
    const secret = randomBytes(30).toString('base64');
    const home = makeAwsHome({ credentials: `[cc]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = ${secret}\n` });
    try {
      const result = await run(process.execPath, ['--trace-opt', join(PACKAGE_ROOT, 'bin', 'cc-helper.js'), '--profile', 'cc', 'get'], {
        env: home.env,
        input: request({ protocol: 'https', host: 'git-codecommit.eu-west-1.amazonaws.com', path: 'v1/repos/r' }),
      });
      t.is(result.code, 0, result.stderr);
      t.regex(result.stdout, /^password=\d{8}T\d{6}Z[0-9a-f]{64}$/m);
      optimised.push(...optimisedFunctions(result.stdout));
    } finally {
      home.cleanup();
    }
  }
  t.deepEqual(optimised.filter((name) => /sha|compress|hash/i.test(name)), []);
});

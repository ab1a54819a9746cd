// The one atomic file writer (src/support/atomic-file.ts), in real folders, with real processes:
// the mode asked for whatever the umask, nothing left behind and the old file untouched when the
// write or the rename fails (failures root cannot bypass: CI runs as root), whole contents only
// when several processes write one path at once, durability (fsync of file and folder, seen with
// strace), git's lock name excluding a second writer, and what happens at a symlink.
import type { ExecutionContext } from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomically } from '../src/setup/atomic-write.js';
import { PendingFile, writeFileAtomic, writeFileAtomicSync } from '../src/support/atomic-file.js';
import { writePrivateFileSync } from '../src/support/private-file.js';
import { replaceTargetOf } from '../src/support/replace-target.js';
import { findOnPath, needs, POSIX, type Prerequisite } from './support/prerequisites.js';

const posix = needs(POSIX);
const STRACE: Prerequisite = {
  what: 'strace (to see the fsync calls)',
  present: () => findOnPath('strace') !== undefined,
  providedOn: ['linux'],
  install: 'apt-get install strace',
};
const withStrace = needs(POSIX, STRACE);

const MODULE = fileURLToPath(new URL('../src/support/atomic-file.js', import.meta.url));
const PRIVATE = fileURLToPath(new URL('../src/support/private-file.js', import.meta.url));

function folder(t: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'cc-atomic-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Everything in `dir` but the names given: a temp file a writer left would show here. */
function others(dir: string, ...expected: string[]): string[] {
  return readdirSync(dir).filter((name) => !expected.includes(name));
}

/** Runs an ES module snippet in a fresh node (`sh -c` first, for umask and ulimit). */
function node(shellPrefix: string, script: string): { status: number | null; stderr: string; stdout: string } {
  const r = spawnSync('sh', ['-c', `${shellPrefix} exec "$0" --input-type=module -e "$1"`, process.execPath, script], { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

posix('the mode asked for, whatever the umask: 0600, 0644 and an old file\'s 0640, new and replacing', (t) => {
  const dir = folder(t);
  writeFileSync(join(dir, 'old'), 'before', { mode: 0o644 });
  const script = `
    import { writeFileAtomicSync } from ${JSON.stringify(MODULE)};
    import { writePrivateFileSync } from ${JSON.stringify(PRIVATE)};
    writePrivateFileSync(${JSON.stringify(join(dir, 'private'))}, 'secret');
    writeFileAtomicSync(${JSON.stringify(join(dir, 'config'))}, 'x', { mode: 0o644 });
    writeFileAtomicSync(${JSON.stringify(join(dir, 'old'))}, 'after', { mode: 0o640 });`;
  for (const umask of ['0777', '0000', '0277']) {
    const r = node(`umask ${umask};`, script);
    t.is(r.status, 0, r.stderr);
    t.is(statSync(join(dir, 'private')).mode & 0o7777, 0o600, `umask ${umask}`);
    t.is(statSync(join(dir, 'config')).mode & 0o7777, 0o644, `umask ${umask}`);
    t.is(statSync(join(dir, 'old')).mode & 0o7777, 0o640, `umask ${umask}`);
    t.is(readFileSync(join(dir, 'old'), 'utf8'), 'after');
  }
  t.deepEqual(others(dir, 'private', 'config', 'old'), []);
});

posix('a rename that fails (the target is a folder) leaves the folder as it was and no temp file', async (t) => {
  const dir = folder(t);
  const target = join(dir, 'taken');
  mkdirSync(target);
  writeFileSync(join(target, 'inside'), 'kept');
  t.throws(() => writeFileAtomicSync(target, 'new', { mode: 0o600 }), { code: 'EISDIR' });
  await t.throwsAsync(writeFileAtomic(target, 'new', { mode: 0o600 }), { code: 'EISDIR' });
  t.true(lstatSync(target).isDirectory());
  t.is(readFileSync(join(target, 'inside'), 'utf8'), 'kept');
  t.deepEqual(others(dir, 'taken'), []);
});

posix('a write that fails half-way (the file size limit, which binds root too) leaves the old file byte for byte and no temp file', (t) => {
  const dir = folder(t);
  const target = join(dir, 'credentials');
  const before = Buffer.from('[a]\r\nkey = 1\r\n'.repeat(300), 'latin1'); // larger than the limit: only writes are limited
  writeFileSync(target, before, { mode: 0o600 });
  // ulimit -f counts 1024-byte blocks; SIGXFSZ ignored so the write returns EFBIG instead of killing node.
  const r = node(`trap '' XFSZ; ulimit -f 2;`, `
    import { writeFileAtomicSync } from ${JSON.stringify(MODULE)};
    try { writeFileAtomicSync(${JSON.stringify(target)}, 'y'.repeat(64 * 1024), { mode: 0o600 }); console.log('written'); }
    catch (error) { console.log(error.code); }`);
  t.is(r.status, 0, r.stderr);
  t.is(r.stdout.trim(), 'EFBIG');
  t.deepEqual(readFileSync(target), before);
  t.is(statSync(target).mode & 0o777, 0o600);
  t.deepEqual(others(dir, 'credentials'), []);
});

posix('a missing folder or a file where the folder should be: the error, nothing created', (t) => {
  const dir = folder(t);
  writeFileSync(join(dir, 'plain'), 'a file');
  t.throws(() => writeFileAtomicSync(join(dir, 'absent', 'f'), 'x', { mode: 0o600 }), { code: 'ENOENT' });
  t.throws(() => writeFileAtomicSync(join(dir, 'plain', 'f'), 'x', { mode: 0o600 }), { code: 'ENOTDIR' });
  t.deepEqual(others(dir, 'plain'), []);
  t.is(readFileSync(join(dir, 'plain'), 'utf8'), 'a file');
});

posix('a step before the rename that fails (a caller\'s check, a killed test hook) removes the temp file; the old file stays', async (t) => {
  const dir = folder(t);
  const target = join(dir, 'vault.json');
  writeFileSync(target, 'old', { mode: 0o600 });
  let seen = '';
  await t.throwsAsync(
    writeFileAtomic(target, 'new', {
      mode: 0o600,
      beforeCommit: (temp) => {
        seen = temp;
        t.is(readFileSync(temp, 'utf8'), 'new', 'written and synced before the hook');
        throw new Error('stop');
      },
    }),
    { message: 'stop' },
  );
  t.true(seen.startsWith(join(dir, '.vault.json.cc-helper-')) && seen.endsWith('.tmp'), seen);
  t.is(readFileSync(target, 'utf8'), 'old');
  t.deepEqual(others(dir, 'vault.json'), []);
});

posix('writers in one process at once each use their own temp file: every write lands whole (the old setup writer shared one per pid)', async (t) => {
  const dir = folder(t);
  const target = join(dir, 'config');
  const contents = Array.from({ length: 24 }, (_, i) => `[include]\n\tpath = ${String(i).repeat(4000)}\n`);
  const results = await Promise.allSettled(contents.map((text) => writeFileAtomically(target, text)));
  t.deepEqual(results.filter((r) => r.status === 'rejected'), []);
  t.true(contents.includes(readFileSync(target, 'latin1')));
  t.deepEqual(others(dir, 'config'), []);
});

posix('several processes writing one path at once: a reader only ever sees one whole content, and no temp file is left', async (t) => {
  const dir = folder(t);
  const target = join(dir, 'aws-files.json');
  const SIZE = 256 * 1024;
  const WRITERS = 4;
  const ROUNDS = 40;
  writeFileSync(target, 'w'.repeat(SIZE));
  const writers = Array.from({ length: WRITERS }, (_, w) =>
    new Promise<number | null>((resolve) => {
      const script = `
        import { writeFileAtomicSync } from ${JSON.stringify(MODULE)};
        for (let round = 0; round < ${ROUNDS}; round++) {
          const letter = String.fromCharCode(97 + ${w}), tag = String(round).padStart(4, '0');
          writeFileAtomicSync(${JSON.stringify(target)}, tag + letter.repeat(${SIZE} - 4), { mode: 0o600 });
        }`;
      spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore' }).on('exit', resolve);
    }),
  );
  // The reader is a process too: this file's other tests block the parent's event loop (spawnSync).
  const stop = join(dir, 'stop');
  const reader = new Promise<string>((resolve) => {
    const script = `
      import { existsSync, readFileSync } from 'node:fs';
      let reads = 0; const torn = [];
      while (!existsSync(${JSON.stringify(stop)})) {
        const text = readFileSync(${JSON.stringify(target)}, 'latin1'); reads++;
        const body = text.slice(4);
        const whole = text === 'w'.repeat(${SIZE}) || (text.length === ${SIZE} && /^\\d{4}$/.test(text.slice(0, 4)) && body === body[0].repeat(${SIZE} - 4));
        if (!whole && torn.length < 5) torn.push(text.length + ' bytes: ' + text.slice(0, 12));
      }
      console.log(JSON.stringify({ reads, torn }));`;
    let out = '';
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', () => resolve(out));
  });
  t.deepEqual(await Promise.all(writers), Array(WRITERS).fill(0));
  writeFileSync(stop, '');
  const { reads, torn } = JSON.parse(await reader) as { reads: number; torn: string[] };
  t.deepEqual(torn, []);
  t.true(reads > 10, `${reads} reads`);
  const last = readFileSync(target, 'latin1');
  t.is(last.slice(0, 4), String(ROUNDS - 1).padStart(4, '0'));
  t.deepEqual(others(dir, 'aws-files.json', 'stop'), []);
});

withStrace('durable: the file is fsynced before the rename and the folder after it', (t) => {
  const dir = folder(t);
  const target = join(dir, 'sessions.json');
  const log = join(folder(t), 'strace.log');
  const r = spawnSync('strace', ['-f', '-qq', '-e', 'trace=openat,fsync,rename,renameat,renameat2', '-o', log, process.execPath, '--input-type=module', '-e',
    `import { writePrivateFileSync } from ${JSON.stringify(PRIVATE)}; writePrivateFileSync(${JSON.stringify(target)}, '{}');`], { encoding: 'utf8' });
  t.is(r.status, 0, r.stderr);
  const calls = readFileSync(log, 'utf8').split('\n').map((line) => line.replace(/^\d+\s+/, '').replace(/\s+/g, ' '));
  const tempOpen = calls.findIndex((c) => c.startsWith('openat(') && c.includes('.sessions.json.cc-helper-') && c.includes('O_EXCL'));
  t.true(tempOpen >= 0, calls.join('\n'));
  const fd = /= (\d+)$/.exec(calls[tempOpen]!)![1];
  const fileSync = calls.findIndex((c, i) => i > tempOpen && c === `fsync(${fd}) = 0`);
  const rename = calls.findIndex((c) => /^rename(at2?)?\(/.test(c) && c.includes(target));
  const dirOpen = calls.findIndex((c, i) => i > rename && c.startsWith('openat(') && c.includes(`"${dir}"`));
  const dirFd = dirOpen >= 0 ? /= (\d+)$/.exec(calls[dirOpen]!)![1] : 'none';
  const dirSync = calls.findIndex((c, i) => i > dirOpen && c === `fsync(${dirFd}) = 0`);
  t.true(fileSync > tempOpen && rename > fileSync, 'file fsynced before the rename');
  t.true(dirOpen > rename && dirSync > dirOpen, 'folder fsynced after the rename');
});

posix("git's lock protocol: a second writer on `<file>.lock` is refused and the first one's lock and the file are untouched", (t) => {
  const dir = folder(t);
  const target = join(dir, 'config');
  writeFileSync(target, 'old');
  const first = PendingFile.begin(target, 0o644, `${target}.lock`);
  t.throws(() => PendingFile.begin(target, 0o644, `${target}.lock`), { code: 'EEXIST' });
  first.write('new');
  t.is(readFileSync(target, 'utf8'), 'old');
  first.commit();
  t.is(readFileSync(target, 'utf8'), 'new');
  t.deepEqual(others(dir, 'config'), []);
  const released = PendingFile.begin(target, 0o644, `${target}.lock`);
  released.abort();
  t.deepEqual(others(dir, 'config'), []);
});

posix('a symlink: the path given is replaced (the link becomes the file, its old target untouched); callers that keep links write through replaceTargetOf', async (t) => {
  const dir = folder(t);
  const real = join(dir, 'dotfiles-credentials');
  const link = join(dir, 'credentials');
  writeFileSync(real, 'old');
  symlinkSync(real, link);
  const through = await replaceTargetOf(link);
  writeFileAtomicSync(through, 'via the link', { mode: 0o600 });
  t.true(lstatSync(link).isSymbolicLink());
  t.is(readlinkSync(link), real);
  t.is(readFileSync(real, 'utf8'), 'via the link');
  writePrivateFileSync(link, 'replaced');
  t.false(lstatSync(link).isSymbolicLink());
  t.is(readFileSync(link, 'utf8'), 'replaced');
  t.is(readFileSync(real, 'utf8'), 'via the link');
  t.deepEqual(others(dir, 'credentials', 'dotfiles-credentials'), []);
});

posix('bytes as given: latin1 text and a Buffer with CRLF and no final newline come back exactly', (t) => {
  const dir = folder(t);
  const bytes = Buffer.from([0x5b, 0x61, 0x5d, 0x0d, 0x0a, 0xe9, 0xff, 0x00, 0x3d]);
  writeFileAtomicSync(join(dir, 'b'), bytes, { mode: 0o600 });
  writeFileAtomicSync(join(dir, 'l'), bytes.toString('latin1'), { mode: 0o644, encoding: 'latin1' });
  t.deepEqual(readFileSync(join(dir, 'b')), bytes);
  t.deepEqual(readFileSync(join(dir, 'l')), bytes);
});

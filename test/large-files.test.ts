// Large AWS files: read whole and found clean twice (at least RACY_MARGIN_MS apart), then searched
// for the wanted sections only while the filesystem says the file is unchanged
// (src/aws-files/shared-file-reader.ts). What a user relies on: the same answer as the full read, a
// refusal as soon as the file changes into one the AWS CLI refuses, and a get that never fails or
// hangs because of the memo itself.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { MEMO_MIN_BYTES, RACY_MARGIN_MS } from '../src/aws-files/clean-file-memo.js';
import { searchSections } from '../src/aws-files/section-search.js';
import { configSectionProfile, FAST_PATH_MIN_CHARS, mayNameProfile, parseSharedFile } from '../src/aws-files/shared-file-parser.js';
import { makeAwsHome, PACKAGE_ROOT, request, runHelper, type AwsHome } from '../standins/helper-process.js';
import { SeededRandom } from './support/prng.js';
import { AWS_CLI_V2, needs, POSIX } from './support/prerequisites.js';

// Not yet ported to Windows (sh, file modes, signals): skipped there, with the reason.
const test = needs(POSIX);
// botocore as the oracle is Debian's AWS CLI 2.9's (its Python): Linux.
const botocoreTest = needs(POSIX, AWS_CLI_V2);

const GET = request({ protocol: 'https', host: 'git-codecommit.eu-west-1.amazonaws.com', path: 'v1/repos/r' });
const KEY = 'AKIAWANTED0000000001';

function filler(count: number, from = 1): string {
  const parts: string[] = [];
  for (let i = from; i < from + count; i++) {
    parts.push(`[filler-${String(i).padStart(5, '0')}]\naws_access_key_id = AKIAFILLER${String(i).padStart(10, '0')}\naws_secret_access_key = filler/secret/${i}\n`);
  }
  return parts.join('\n');
}

/** 5,000 profiles (about 400 KB) with [bench] second to last. */
const LARGE = `${filler(4998)}\n[bench]\naws_access_key_id = ${KEY}\naws_secret_access_key = wanted-secret\n\n${filler(1, 4999)}`;

function memo(home: AwsHome): { files: Record<string, Record<string, unknown>> } | undefined {
  try {
    return JSON.parse(readFileSync(join(home.home, '.config', 'cc-helper', 'aws-files.json'), 'utf8')) as { files: Record<string, Record<string, unknown>> };
  } catch {
    return undefined;
  }
}

/** A memo entry for the file as it is now, as cc-helper would write it. */
function writeMemoFor(home: AwsHome, file: string, sections: number): void {
  const s = statSync(file, { bigint: true });
  const entry = { dev: String(s.dev), ino: String(s.ino), size: String(s.size), mtimeNs: String(s.mtimeNs), ctimeNs: String(s.ctimeNs), sections, firstCleanMs: 0, trusted: true };
  mkdirSync(join(home.home, '.config', 'cc-helper'), { recursive: true });
  writeFileSync(join(home.home, '.config', 'cc-helper', 'aws-files.json'), JSON.stringify({ version: 1, files: { [file]: entry } }));
}

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

const MMAP_WRITER = join(PACKAGE_ROOT, 'test', 'support', 'mmap-writer.py');

/** The next line a child prints, each time it is called. */
function lineReader(stream: NodeJS.ReadableStream): () => Promise<string> {
  let buffered = '';
  const waiting: Array<(line: string) => void> = [];
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    for (let nl = buffered.indexOf('\n'); nl >= 0 && waiting.length > 0; nl = buffered.indexOf('\n')) {
      waiting.shift()!(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
    }
  });
  return () =>
    new Promise((resolve) => {
      const nl = buffered.indexOf('\n');
      if (nl >= 0) {
        resolve(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
      } else waiting.push(resolve);
    });
}

const homes = {
  remembered: makeAwsHome({ credentials: LARGE }),
  once: makeAwsHome({ credentials: LARGE }),
  trusted: makeAwsHome({ credentials: `${LARGE}\n[filler-00007]\nregion = x\n` }),
  twice: makeAwsHome({ credentials: `${LARGE}\n[bench]\naws_access_key_id = AKIASECOND0000000001\naws_secret_access_key = s\n` }),
  damaged: makeAwsHome({ credentials: LARGE }),
  unwritable: makeAwsHome({ credentials: LARGE }),
  config: makeAwsHome({ config: `${filler(3000).replaceAll('[filler', '[profile filler')}\n[profile bench-2]\naws_access_key_id = AKIANOTWANTED0000001\naws_secret_access_key = x\n\n[profile bench]\naws_access_key_id = ${KEY}\naws_secret_access_key = s\n` }),
  quoted: makeAwsHome({ config: `${filler(3000).replaceAll('[filler', '[profile filler')}\n[profile "bench"]\naws_access_key_id = ${KEY}\naws_secret_access_key = s\n` }),
};
test.after.always(() => {
  for (const home of Object.values(homes)) home.cleanup();
});

test('the fixture is large enough to be remembered', (t) => {
  t.true(Buffer.byteLength(LARGE) >= MEMO_MIN_BYTES);
});

test('a large file read clean twice, 3 s apart, is trusted; a change makes the next get read it whole again and refuse what the CLI refuses', async (t) => {
  const home = homes.remembered;
  const first = await runHelper(['--profile', 'bench', 'get'], GET, home.env);
  t.regex(first.stdout, new RegExp(`^username=${KEY}$`, 'm'), first.stderr);
  t.is(memo(home)?.files[home.credentialsFile]?.trusted, false, 'one clean read is noted, not trusted');
  await sleep(RACY_MARGIN_MS + 200);
  const second = await runHelper(['--profile', 'bench', 'get'], GET, home.env);
  t.regex(second.stdout, new RegExp(`^username=${KEY}$`, 'm'));
  const entry = memo(home)?.files[home.credentialsFile];
  t.is(entry?.trusted, true, 'a second clean read of the same file, later, is');
  t.is(entry!.size, String(statSync(home.credentialsFile).size));
  t.is(entry!.sections, 5000);
  t.false(JSON.stringify(memo(home)).includes('secret'), 'the memo holds no names or values from the file');

  const searched = await runHelper(['--profile', 'bench', 'get'], GET, home.env);
  t.regex(searched.stdout, new RegExp(`^username=${KEY}$`, 'm'));

  appendFileSync(home.credentialsFile, '\n[filler-00003]\nregion = x\n');
  const afterChange = await runHelper(['--profile', 'bench', 'get'], GET, home.env);
  t.is(afterChange.stdout, 'quit=1\n');
  t.regex(afterChange.stderr, /section \[filler-00003\] appears twice, and the AWS CLI refuses the whole file/);
});

test('two clean reads close together do not make a verdict trusted (a write in the same clock tick could hide)', async (t) => {
  const home = homes.once;
  for (let run = 0; run < 2; run++) {
    const result = await runHelper(['--profile', 'bench', 'get'], GET, home.env);
    t.regex(result.stdout, /^username=/m);
  }
  const done = Date.now();
  const entry = memo(home)?.files[home.credentialsFile];
  t.is(typeof entry?.firstCleanMs, 'number');
  // The second get read the file before `done`; if that was within the margin of the first, the
  // verdict must still be untrusted (on a machine too loaded for that, the rule is not tested).
  if (done - (entry!.firstCleanMs as number) < RACY_MARGIN_MS) t.is(entry!.trusted, false);
  else t.log(`the two gets took ${done - (entry!.firstCleanMs as number)} ms: too slow to test the margin`);
});

test('the memo is what skips the whole-file check: a verdict for exactly this file is taken as it stands', async (t) => {
  // This file repeats [filler-00007], which the CLI refuses. A memo entry saying this very file
  // (same inode, size and nanosecond times) read clean is taken: only the file's identity guards
  // the shortcut, and the test above shows any change to the file breaks that identity.
  const home = homes.trusted;
  const refused = await runHelper(['--profile', 'bench', 'get'], GET, home.env);
  t.regex(refused.stderr, /section \[filler-00007\] appears twice/);
  writeMemoFor(home, home.credentialsFile, 5000);
  const searched = await runHelper(['--profile', 'bench', 'get'], GET, home.env);
  t.regex(searched.stdout, new RegExp(`^username=${KEY}$`, 'm'), searched.stderr);
});

test('a wanted profile twice is never answered from the search: the whole-file read refuses it', async (t) => {
  const home = homes.twice;
  writeMemoFor(home, home.credentialsFile, 5001);
  const result = await runHelper(['--profile', 'bench', 'get'], GET, home.env);
  t.is(result.stdout, 'quit=1\n');
  t.regex(result.stderr, /section \[bench\] appears twice/);
});

test('a damaged memo is ignored and replaced; an unwritable folder never fails a get', async (t) => {
  const damaged = homes.damaged;
  mkdirSync(join(damaged.home, '.config', 'cc-helper'), { recursive: true });
  for (const junk of ['{', 'null', '[]', '{"version":1,"files":{"x":{"dev":1}}}', `{"version":1,"files":{${JSON.stringify(damaged.credentialsFile)}:{"dev":"1e3","ino":"1","size":"1","mtimeNs":"1","ctimeNs":"1","sections":-1}}}`]) {
    writeFileSync(join(damaged.home, '.config', 'cc-helper', 'aws-files.json'), junk);
    const result = await runHelper(['--profile', 'bench', 'get'], GET, damaged.env);
    t.regex(result.stdout, new RegExp(`^username=${KEY}$`, 'm'), `memo ${junk}: ${result.stderr}`);
    t.is(result.stderr, '');
  }
  t.truthy(memo(damaged)?.files[damaged.credentialsFile], 'rewritten whole');
  // A FIFO in the memo's place must not hang git, nor an oversized file be parsed.
  for (const make of [(file: string) => execFileSync('mkfifo', [file]), (file: string) => writeFileSync(file, `{"version":1,"files":{},"pad":"${'x'.repeat(70_000)}"}`)]) {
    const file = join(damaged.home, '.config', 'cc-helper', 'aws-files.json');
    rmSync(file, { force: true });
    make(file);
    const result = await runHelper(['--profile', 'bench', 'get'], GET, { ...damaged.env });
    t.regex(result.stdout, new RegExp(`^username=${KEY}$`, 'm'), result.stderr);
  }

  const unwritable = homes.unwritable;
  writeFileSync(join(unwritable.home, '.config'), 'a file where the folder would go\n');
  const result = await runHelper(['--profile', 'bench', 'get'], GET, unwritable.env);
  t.regex(result.stdout, new RegExp(`^username=${KEY}$`, 'm'));
  t.is(result.stderr, '');
});

test('a large config file: the search takes [profile bench] and not [profile bench-2]', async (t) => {
  const home = homes.config;
  for (let run = 0; run < 2; run++) {
    const result = await runHelper(['--profile', 'bench', 'get'], GET, home.env);
    t.regex(result.stdout, new RegExp(`^username=${KEY}$`, 'm'), result.stderr);
  }
  t.truthy(memo(home)?.files[home.configFile], 'a clean read of the config file is noted');
});

test('a file whose headers name profiles in quotes is read whole every time (the search could not see them)', async (t) => {
  const home = homes.quoted;
  for (let run = 0; run < 2; run++) {
    const result = await runHelper(['--profile', 'bench', 'get'], GET, home.env);
    t.regex(result.stdout, new RegExp(`^username=${KEY}$`, 'm'), result.stderr);
  }
  t.is(memo(home)?.files[home.configFile], undefined);
});

// The search against the full read, over random plain files: names that contain each other,
// sections larger than the search's 64 KiB buffer, a wanted section at either end, comments.
test('the section search finds exactly what the full read finds', (t) => {
  const random = new SeededRandom(1616);
  const dir = makeAwsHome();
  t.teardown(dir.cleanup);
  const file = join(dir.home, 'random');
  for (let round = 0; round < 40; round++) {
    const names = ['dev', 'dev-2', 'prod.dev', 'x', 'd\u00e9v', 'dev dev', 'dev]', ...Array.from({ length: 30 }, () => random.string('abcdefgh-_.', random.int(1, 12)))];
    const config = random.chance(0.5);
    const lines: string[] = [];
    const seen = new Set<string>();
    // Every fourth file spans many 64 KiB reads, so wanted sections land near read boundaries.
    const sectionCount = round % 4 === 0 ? random.int(2000, 5000) : random.int(1, 120);
    for (let s = 0; s < sectionCount; s++) {
      const name = random.chance(0.05) ? random.pick(names) : `s${s}-${random.string('abcdev-', random.int(0, 8))}`;
      if (seen.has(name)) continue;
      seen.add(name);
      if (random.chance(0.2)) lines.push(random.pick(['# comment [dev]', '; dev', '', '   # indented comment']));
      // Text after the last ] is ignored; the name runs to the last ] of the line.
      lines.push(`[${config ? `profile ${name}` : name}]${random.chance(0.1) ? random.pick([' ; trailing', ' ] dev', '   ']) : ''}`);
      const keys = new Set<string>();
      for (let k = 0; k < random.int(0, 4); k++) {
        const key = random.pick(['aws_access_key_id', 'aws_secret_access_key', 'region', 'output', 'note']);
        if (keys.has(key)) continue;
        keys.add(key);
        const long = random.chance(0.03) ? 'v'.repeat(random.int(60_000, 140_000)) : random.string('abc dev[]=:#', random.int(0, 30));
        lines.push(`${key}${random.pick([' = ', '=', ': '])}${long}`);
      }
    }
    const text = lines.join('\n') + (random.chance(0.5) ? '\n' : '');
    writeFileSync(file, text);
    t.true(round % 4 !== 0 || text.length > 3 * 64 * 1024, 'a file that spans several reads');
    for (const profile of ['dev', 'dev-2', 'd\u00e9v', 'x', 'nothere']) {
      const wanted = config ? (section: string) => mayNameProfile(section, profile) && configSectionProfile(section) === profile : (section: string) => section === profile;
      const full = parseSharedFile(text, { wanted, mentions: profile });
      t.true(full.plain || text.length < FAST_PATH_MIN_CHARS, `round ${round}: the generator makes plain files`);
      const fd = openSync(file, 'r');
      try {
        const searched = searchSections(fd, profile, wanted, full.sectionCount, Buffer.byteLength(text));
        t.deepEqual(searched && { order: searched.order, sections: [...searched.sections] }, { order: full.order, sections: [...full.sections] }, `round ${round}, ${profile}`);
      } finally {
        closeSync(fd);
      }
    }
  }
  rmSync(file, { force: true });
});

test('a line separator (U+2028) inside a value never starts a section, in a large file or a small one', async (t) => {
  // JavaScript's multi-line ^ matches after U+2028; Python's configparser does not split there.
  const tail = '[work]\naws_access_key_id = AKIAWORK000000000001\naws_secret_access_key = work\nnote = x\u2028[prod]\nregion = eu-west-1\n';
  for (const text of [tail, `${filler(100)}\n${tail}`]) {
    const parsed = parseSharedFile(text, { wanted: (section) => section === 'prod', mentions: 'prod' });
    t.deepEqual(parsed.order, [], `${text.length} chars`);
    const home = makeAwsHome({ credentials: text });
    try {
      const result = await runHelper(['--profile', 'prod', 'get'], GET, home.env);
      t.is(result.stdout, 'quit=1\n');
      t.regex(result.stderr, /profile "prod" is not in/);
    } finally {
      home.cleanup();
    }
  }
});

// Issue 21, item 5. The memo says a file was plain when it was read whole; it cannot say what the
// file holds now. A forged memo entry, or a write through a shared mmap (which leaves inode, size,
// mtime and ctime as they were while the page stays dirty), hands the search bytes it never
// checked. Whatever those bytes are, the search must choose what the full read chooses, or give
// up. Here: random files with what plain files never have — headers that name the wanted profile
// through quotes or escapes (shlex), indented headers, a header inside a continuation, CR and
// lone-CR line ends, [DEFAULT] — searched as if a trusted memo vouched for them.
test('a memo that vouches for a file it never saw: the search chooses what the full read chooses, or gives up', (t) => {
  const random = new SeededRandom(2121);
  const dir = makeAwsHome();
  t.teardown(dir.cleanup);
  const file = join(dir.home, 'hostile');
  let compared = 0;
  let gaveUp = 0;
  for (let round = 0; round < 300; round++) {
    const config = random.chance(0.7);
    const header = (name: string) => (config ? `profile ${name}` : name);
    const sections: string[] = [];
    const count = round % 10 === 0 ? random.int(1500, 3000) : random.int(2, 40);
    const hostile = [
      () => `[${config ? random.pick([`profile 'd''ev'`, `profile "dev"`, `profile d\\ev`, `profile 'dev'   `, `profile "d"ev`]) : 'dev'}]\naws_access_key_id = AKIAQUOTED${round}\n`,
      () => `${random.pick([' ', '\t', '\u00a0', '\u3000'])}[${header('dev')}]\naws_access_key_id = AKIAINDENT${round}\n`,
      () => `[${header('other')}]\nnote = x\n  [${header('dev')}]\naws_access_key_id = AKIACONT${round}\n`,
      () => `[DEFAULT]\nregion = from-default\n`,
      () => `[${header('dev')}]\r\naws_access_key_id = AKIACRLF${round}\r\n`,
      () => `[${header('x')}]\nnote = y\r[${header('dev')}]\naws_access_key_id = AKIALONECR${round}\n`,
    ];
    // One plain [dev] (the copy a search finds by name), hostile lines before or after it, and
    // sometimes none: then the file is plain and the search must answer as the full read does.
    const plainAt = random.int(0, count - 1);
    const hostileAt = new Set(round % 5 === 0 ? [] : Array.from({ length: random.int(1, 3) }, () => random.int(0, count - 1)));
    for (let s = 0; s < count; s++) {
      if (s === plainAt) sections.push(`[${header('dev')}]\naws_access_key_id = AKIAPLAIN${round}\naws_secret_access_key = s\n`);
      if (hostileAt.has(s)) sections.push(random.pick(hostile)());
      sections.push(`[${header(`filler-${s}`)}]\naws_access_key_id = AKIAFILLER${s}\n`);
    }
    const text = sections.join('\n');
    writeFileSync(file, text);
    const wanted = config ? (section: string) => mayNameProfile(section, 'dev') && configSectionProfile(section) === 'dev' : (section: string) => section === 'dev';
    let full;
    try {
      full = parseSharedFile(text, { wanted, mentions: 'dev' });
    } catch {
      continue; // the AWS CLI refuses this file: no choice to compare with
    }
    const fd = openSync(file, 'r');
    try {
      const searched = searchSections(fd, 'dev', wanted, full.sectionCount, Buffer.byteLength(text));
      if (searched === undefined) gaveUp++;
      else {
        compared++;
        t.deepEqual({ order: searched.order, sections: [...searched.sections] }, { order: full.order, sections: [...full.sections] }, `round ${round}`);
      }
    } finally {
      closeSync(fd);
    }
  }
  t.true(gaveUp > 50 && compared > 20, `the search gave up on ${gaveUp} hostile files and answered ${compared} plain ones`);
  t.log(`${compared} answered from the search (each equal to the full read), ${gaveUp} handed to the full read`);
});

/** A large config file whose only [profile cc] is plain: cc-helper remembers it clean. */
function ccConfig(): { text: string; target: { offset: number; original: string; replacement: string } } {
  const before = filler(1500).replaceAll('[filler', '[profile filler');
  const after = filler(1500, 1501).replaceAll('[filler', '[profile filler');
  const text = `${before}\n[profile cc]\naws_access_key_id = AKIAFIRSTCOPY0000001\naws_secret_access_key = first\n\n${after}\n`;
  // The same profile again, quoted as shlex reads it, written over a filler section of the same length.
  const original = '[profile filler-02990]\naws_access_key_id = AKIAFILLER0000002990\n';
  const replacement = "[profile 'c''c'      ]\naws_access_key_id = AKIALATERCOPY0000001\n";
  return { text, target: { offset: Buffer.byteLength(text.slice(0, text.indexOf(original))), original, replacement } };
}

/**
 * What botocore takes as profile `cc`'s key in these files: Debian's AWS CLI 2.9 (CI installs it)
 * and the pyenv Python's botocore 1.43 when there is one; they must agree.
 */
function botocoreKey(home: AwsHome): string {
  const oracle = join(PACKAGE_ROOT, 'test', 'support', 'botocore-credentials.py');
  const pythons = ['/usr/bin/python3'];
  const pyenv = spawnSync('pyenv', ['which', 'python'], { encoding: 'utf8' });
  if (pyenv.status === 0 && pyenv.stdout.trim()) pythons.push(pyenv.stdout.trim());
  const answers = pythons.map((python) => {
    const out = execFileSync(python, [oracle], {
      env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8', HOME: home.home },
      input: JSON.stringify({ credentials: home.credentialsFile, config: home.configFile, profile: 'cc' }) + '\n',
      encoding: 'utf8',
    });
    return (JSON.parse(out) as { access_key?: string; error?: string }).access_key ?? 'none';
  });
  if (new Set(answers).size !== 1) throw new Error(`the botocores disagree: ${answers.join(', ')}`);
  return answers[0]!;
}

botocoreTest('a forged memo entry for a file with a second, quoted copy of the profile: cc-helper signs with the copy botocore uses', async (t) => {
  const { text, target } = ccConfig();
  const hostile = text.replace(target.original, target.replacement);
  t.is(Buffer.byteLength(hostile), Buffer.byteLength(text));
  const home = makeAwsHome({ config: hostile });
  t.teardown(home.cleanup);
  t.is(botocoreKey(home), 'AKIALATERCOPY0000001', 'botocore: the later section is profile cc');
  writeMemoFor(home, home.configFile, 3001);
  const result = await runHelper(['--profile', 'cc', 'get'], GET, home.env);
  t.regex(result.stdout, /^username=AKIALATERCOPY0000001$/m, result.stderr);
});

botocoreTest('a rewrite through a shared mmap that keeps the file identity: the remembered file is not searched into another section', async (t) => {
  const { text, target } = ccConfig();
  const home = makeAwsHome({ config: text });
  t.teardown(home.cleanup);
  // The writer maps the file and dirties the pages it will change (which sets mtime and ctime
  // once); later writes to those dirty pages change no time stamp until they are written back.
  const child = spawn('python3', [MMAP_WRITER, home.configFile, String(target.offset), Buffer.from(target.replacement).toString('hex')], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.teardown(() => child.kill());
  const lines = lineReader(child.stdout!);
  t.is(await lines(), 'dirtied');
  const first = await runHelper(['--profile', 'cc', 'get'], GET, home.env);
  t.regex(first.stdout, /^username=AKIAFIRSTCOPY0000001$/m, first.stderr);
  await sleep(RACY_MARGIN_MS + 200);
  const second = await runHelper(['--profile', 'cc', 'get'], GET, home.env);
  t.regex(second.stdout, /^username=AKIAFIRSTCOPY0000001$/m, second.stderr);
  t.is(memo(home)?.files[home.configFile]?.trusted, true, 'the file as it was is remembered clean');
  const identity = () => {
    const s = statSync(home.configFile, { bigint: true });
    return `${s.dev} ${s.ino} ${s.size} ${s.mtimeNs} ${s.ctimeNs}`;
  };
  const before = identity();
  child.stdin!.write('write\n');
  t.is(await lines(), 'written');
  t.is(readFileSync(home.configFile, 'utf8').indexOf(target.replacement), target.offset, 'the new bytes are what every reader sees');
  if (identity() !== before) {
    // The kernel wrote the dirty pages back in between (sync, memory pressure): then the file's
    // identity changed, and the memo no longer applies; nothing here could be shown.
    t.log('the pages were written back before the second write: identity changed, memo not applicable');
  } else {
    t.pass('identity unchanged after the write');
  }
  t.is(botocoreKey(home), 'AKIALATERCOPY0000001');
  const after = await runHelper(['--profile', 'cc', 'get'], GET, home.env);
  t.regex(after.stdout, /^username=AKIALATERCOPY0000001$/m, after.stderr);
});

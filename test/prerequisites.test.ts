// The prerequisites mechanism itself, through ava as CI runs it: a test file with a prerequisite
// that is present, one that is missing where CI provides it, and one missing where CI does not.
// The first runs, the second fails with its install line (or is skipped with
// CC_TEST_SKIP_MISSING=1), the third is skipped with the reason in its title, and the hooks of
// the tests that do not run do not run either. Nothing passes by doing nothing.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PACKAGE_ROOT } from '../standins/helper-process.js';

const SUITE = `
import { writeFileSync } from 'node:fs';
import { needs } from ${JSON.stringify(pathToFileURL(join(PACKAGE_ROOT, 'dist', 'test', 'support', 'prerequisites.js')).href)};
const here = { what: 'a thing that is here', present: () => true, providedOn: [process.platform], install: 'nothing' };
const provided = { what: 'a tool CI provides', present: () => false, providedOn: [process.platform], install: 'apt-get install the-tool' };
const elsewhere = { what: 'a tool of another system', present: () => false, providedOn: [], install: 'another system' };
const mark = (name) => writeFileSync(process.env.MARKS + '/' + name, '');
needs(here)('runs where its prerequisite is', (t) => { mark('ran'); t.pass(); });
needs(here, provided).serial('needs what CI provides', (t) => { mark('provided-ran'); t.pass(); });
needs(elsewhere)('needs another system', (t) => { mark('elsewhere-ran'); t.pass(); });
needs(elsewhere).before(() => mark('hook-ran'));
`;

function runSuite(extra: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'cc-prerequisites-'));
  try {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', ava: { files: ['suite.test.js'], workerThreads: false } }));
    symlinkSync(join(PACKAGE_ROOT, 'node_modules'), join(dir, 'node_modules'), 'junction');
    writeFileSync(join(dir, 'suite.test.js'), SUITE);
    const marks = join(dir, 'marks');
    mkdirSync(marks);
    const r = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'node_modules', 'ava', 'entrypoints', 'cli.mjs'), '--verbose'], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: dir, MARKS: marks, ...extra },
      encoding: 'utf8',
      timeout: 60_000,
    });
    const ran = (name: string) => {
      try {
        readFileSync(join(marks, name));
        return true;
      } catch {
        return false;
      }
    };
    return { status: r.status, output: r.stdout + r.stderr, ran: { here: ran('ran'), provided: ran('provided-ran'), elsewhere: ran('elsewhere-ran'), hook: ran('hook-ran') } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test.serial('missing where CI provides it: the test fails with the install line; missing elsewhere: skipped with the reason', (t) => {
  const r = runSuite({});
  t.is(r.status, 1, r.output);
  t.deepEqual(r.ran, { here: true, provided: false, elsewhere: false, hook: false });
  t.regex(r.output, /✔ runs where its prerequisite is/);
  t.regex(r.output, /✘ \[fail\]: needs what CI provides/);
  t.regex(r.output, /needs a tool CI provides: apt-get install the-tool \(CI has it\), or set CC_TEST_SKIP_MISSING=1/);
  t.regex(r.output, /- \[skip\] needs another system \[skipped: needs a tool of another system\]/);
});

test.serial('CC_TEST_SKIP_MISSING=1: what CI would provide is skipped too, with the reason', (t) => {
  const r = runSuite({ CC_TEST_SKIP_MISSING: '1' });
  t.is(r.status, 0, r.output);
  t.deepEqual(r.ran, { here: true, provided: false, elsewhere: false, hook: false });
  t.regex(r.output, /- \[skip\] needs what CI provides \[skipped: needs a tool CI provides\]/);
  t.regex(r.output, /1 test passed\s+2 tests skipped/);
});

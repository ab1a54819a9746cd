// The command line as a newcomer meets it, through the real bin: each command's own help page,
// and every command refusing what it does not take the same way (one line on stderr, exit
// status 2, the closest known word suggested), before anything is read or written.
import test from 'ava';
import { readdir } from 'node:fs/promises';
import { makeHermeticGitEnv, run } from '../standins/git-env.js';
import { HELPER_BIN } from '../standins/helper-process.js';

interface Case {
  argv: string[];
  code: number;
  /** What stdout starts with (help pages), or '' for nothing on stdout. */
  stdout?: string | RegExp;
  /** The one stderr line (without the `cc-helper: ` prefix), or '' for none. */
  stderr?: string | RegExp;
}

const HELP_PAGES: Array<[string[], RegExp]> = [
  [['--help'], /^usage: cc-helper <command> \[options\]\n/],
  [['-h'], /^usage: cc-helper <command> \[options\]\n/],
  [['help'], /^usage: cc-helper <command> \[options\]\n/],
  [['help', 'setup'], /^usage: cc-helper setup --profile NAME/],
  [['setup', '--help'], /^usage: cc-helper setup --profile NAME/],
  [['--help', 'setup'], /^usage: cc-helper setup --profile NAME/],
  [['setup', '--list', '-h'], /^usage: cc-helper setup --profile NAME/],
  [['vault', '--help'], /^usage: cc-helper vault add PROFILE/],
  [['vault', 'list', '--help'], /^usage: cc-helper vault add PROFILE/],
  [['help', 'session'], /^usage: cc-helper session start/],
  [['session', '--help'], /^usage: cc-helper session start/],
  [['doctor', '--help'], /^usage: cc-helper doctor \[URL/],
  [['help', 'get'], /^usage: cc-helper \[--profile NAME\].* get\|store\|erase/],
  [['completion', '--help'], /^usage: cc-helper completion bash\|zsh\|fish\n/],
];

const CASES: Case[] = [
  { argv: ['-v'], code: 0, stdout: /^cc-helper \d+\.\d+\.\d+\n$/, stderr: '' },
  { argv: ['--version'], code: 0, stdout: /^cc-helper \d+\.\d+\.\d+\n$/, stderr: '' },
  { argv: [], code: 2, stdout: '', stderr: 'no command given: see `cc-helper --help`' },
  { argv: ['--profile', 'p'], code: 2, stdout: '', stderr: 'no command given: see `cc-helper --help`' },
  { argv: ['help', 'frob'], code: 2, stdout: '', stderr: /^no help for "frob": the commands are get, store, erase, setup, doctor, vault, session, migrate, askpass, completion$/ },
  { argv: ['help', 'stup'], code: 2, stderr: /^no help for "stup" \(did you mean setup\?\)/ },
  { argv: ['help', 'setup', 'extra'], code: 2, stderr: /^help takes one command \(got "extra"\)/ },
  { argv: ['frob'], code: 2, stderr: 'unknown command "frob": see `cc-helper --help`' },
  { argv: ['setpu', '--profile', 'x'], code: 2, stderr: 'unknown command "setpu" (did you mean setup?): see `cc-helper --help`' },
  { argv: ['--dir', '/tmp', 'setup'], code: 2, stderr: /^unknown option --dir before the command: a command's options go after it/ },
  { argv: ['--frob'], code: 2, stderr: /^unknown option --frob before the command/ },
  // Options a command does not take, named with the command (and action) that refuses them.
  { argv: ['setup', '--list', '--online', '--json'], code: 2, stdout: '', stderr: 'setup does not take --online: see `cc-helper help setup`' },
  { argv: ['setup', '--profle', 'X'], code: 2, stderr: 'setup does not take --profle (did you mean --profile?): see `cc-helper help setup`' },
  { argv: ['setup', '--dry-rn', '--profile', 'X'], code: 2, stderr: /^setup does not take --dry-rn \(did you mean --dry-run\?\)/ },
  { argv: ['setup', '--profile'], code: 2, stderr: 'option --profile needs a value: see `cc-helper help setup`' },
  { argv: ['setup', '--list=yes'], code: 2, stderr: 'option --list takes no value' },
  { argv: ['setup', 'CodeCommitProfile'], code: 2, stderr: 'setup takes no arguments (got "CodeCommitProfile"): see `cc-helper help setup`' },
  { argv: ['doctor', '--dry-run'], code: 2, stderr: 'doctor does not take --dry-run: see `cc-helper help doctor`' },
  { argv: ['doctor', '--max-key-age-days', '30'], code: 2, stderr: /^doctor does not take --max-key-age-days/ },
  { argv: ['doctor', 'https://a', 'https://b'], code: 2, stderr: 'doctor takes at most one URL (got "https://b"): see `cc-helper help doctor`' },
  { argv: ['vault'], code: 2, stderr: 'vault needs an action: add, list, remove or rotate (see `cc-helper help vault`)' },
  { argv: ['vault', 'lsit'], code: 2, stderr: 'unknown vault action "lsit" (did you mean list?): use add, list, remove or rotate' },
  { argv: ['vault', 'list', '--online'], code: 2, stderr: 'vault list does not take --online: see `cc-helper help vault`' },
  { argv: ['vault', 'list', 'extra'], code: 2, stderr: 'vault list takes no arguments (got "extra"): see `cc-helper help vault`' },
  { argv: ['vault', 'list', '--max-key-age-days', 'soon'], code: 2, stderr: '--max-key-age-days "soon" is not a number of days' },
  { argv: ['vault', 'add'], code: 2, stderr: 'vault add needs one profile name: see `cc-helper help vault`' },
  { argv: ['vault', 'add', 'a', 'b'], code: 2, stderr: 'vault add takes one profile name (got "b"): see `cc-helper help vault`' },
  { argv: ['vault', 'remove', 'p', '--backend', 'file'], code: 2, stderr: 'vault remove does not take --backend: see `cc-helper help vault`' },
  { argv: ['session'], code: 2, stderr: 'session needs an action: start, stop, list or prune (see `cc-helper help session`)' },
  { argv: ['session', 'stop'], code: 2, stderr: 'which profile? cc-helper session stop PROFILE (or set AWS_PROFILE)' },
  { argv: ['session', 'stop', 'a', 'b'], code: 2, stderr: 'session stop takes at most one profile name (got "b"): see `cc-helper help session`' },
  { argv: ['session', 'list', '--force'], code: 2, stderr: 'session list does not take --force: see `cc-helper help session`' },
  { argv: ['session', 'prune', '--all'], code: 2, stderr: /^session prune does not take --all/ },
  // Nothing to prune: says so, and makes no ~/.aws for it.
  { argv: ['session', 'prune'], code: 0, stdout: 'no expired sessions written by cc-helper\n', stderr: '' },
  // The helper line: git appends the action after the line's options.
  { argv: ['--profile', 'p', 'get', '--dir', 'x'], code: 2, stderr: /^get does not take --dir/ },
  { argv: ['--profle', 'p', 'get'], code: 2, stderr: /^unknown option --profle before the command/ },
  { argv: ['--profile', 'p', '--account', '123456789012', 'store'], code: 0, stdout: '', stderr: '' },
  { argv: ['erase', 'extra'], code: 2, stderr: /^erase takes no arguments/ },
  { argv: ['completion'], code: 2, stderr: 'completion needs a shell: bash, zsh or fish (see `cc-helper help completion`)' },
  { argv: ['completion', 'tcsh'], code: 2, stderr: 'completion: unknown shell "tcsh": use bash, zsh or fish' },
  { argv: ['completion', 'bash', 'zsh'], code: 2, stderr: /^completion takes at most one shell \(bash, zsh or fish\) \(got "zsh"\)/ },
];

async function cli(argv: string[]) {
  const h = await makeHermeticGitEnv();
  try {
    const r = await run(process.execPath, [HELPER_BIN, ...argv], { env: h.env, cwd: h.home, input: 'protocol=https\nhost=example.com\n\n' });
    // A refused command line reads and writes nothing: HOME holds what makeHermeticGitEnv made.
    return { ...r, homeEntries: (await readdir(h.home)).sort(), configEntries: await readdir(`${h.home}/.config`) };
  } finally {
    await h.cleanup();
  }
}

function matches(t: import('ava').ExecutionContext, actual: string, expected: string | RegExp | undefined, what: string) {
  if (expected === undefined) return;
  if (typeof expected === 'string') t.is(actual, expected, what);
  else t.regex(actual, expected, what);
}

for (const [argv, page] of HELP_PAGES) {
  test(`help: cc-helper ${argv.join(' ')}`, async (t) => {
    const r = await cli(argv);
    t.is(r.code, 0);
    t.is(r.stderr, '');
    t.regex(r.stdout, page);
    // Every page says what to type, with what, and what the exit status means.
    t.regex(r.stdout, /\nexit status: /);
    if (page.source.includes('command>')) return;
    t.regex(r.stdout, /\noptions/);
    t.regex(r.stdout, /\nexamples?[: (]/);
  });
}

for (const c of CASES) {
  test(`argv: cc-helper ${c.argv.join(' ') || '(nothing)'}`, async (t) => {
    const r = await cli(c.argv);
    t.is(r.code, c.code, r.stderr);
    matches(t, r.stdout, c.stdout, 'stdout');
    if (c.stderr !== undefined) {
      if (c.stderr === '') t.is(r.stderr, '');
      else {
        t.true(r.stderr.startsWith('cc-helper: ') && r.stderr.endsWith('\n') && r.stderr.split('\n').length === 2, `one line: ${r.stderr}`);
        matches(t, r.stderr.slice('cc-helper: '.length, -1), c.stderr, 'stderr');
      }
    }
    t.deepEqual(r.homeEntries, ['.config', '.gitconfig']);
    t.deepEqual(r.configEntries, []);
  });
}

// Shell completion as a user meets it: the script `cc-helper completion SHELL` prints, loaded into
// a real bash (its completion function called the way readline calls it: COMP_WORDS, COMP_CWORD,
// then COMPREPLY read back), a real zsh (driven on a pseudo-terminal: the line typed, TAB, the
// edited line read back) and a real fish (`complete -C`). What must be offered comes from the
// commands' own specs (commands.ts's COMMANDS), written out independently of src/cli/completion, so a
// command, action or option the scripts miss fails here. Profile names come from AWS files with
// hostile names; the profiles the AWS CLI sees are held to the AWS CLI itself.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMON_FLAGS, type ArgsSpec, type CommandSpec } from '../src/cli/args.js';
import { COMMANDS } from '../src/cli/commands.js';
import { completionModel } from '../src/cli/completion/completion-model.js';
import { HELPER_BIN } from '../standins/helper-process.js';
import { AWS_CLI_V2, BASH, FISH, needs, POSIX, ZSH } from './support/prerequisites.js';

const specs: Array<{ name: string; spec: CommandSpec }> = await Promise.all(
  Object.entries(COMMANDS).map(async ([name, load]) => ({ name, spec: (await load()).command.spec })),
);
const helperSpec = specs.find((s) => s.name === 'get')!.spec;

/** What the specs say a command (or action) takes, as option words: its own, then every command's. */
function optionsOf(...parts: ArgsSpec[]): string[] {
  return [...new Set([...parts.flatMap((p) => [...(p.valued ?? []), ...(p.flags ?? [])]), ...COMMON_FLAGS].map((o) => `--${o}`))].sort();
}

// A throwaway world: AWS files whose section names are hostile, and `cc-helper` on PATH.
const world = mkdtempSync(join(tmpdir(), 'cc-completion-'));
test.after.always(() => rmSync(world, { recursive: true, force: true }));
const MARKER = join(world, 'pwned');
const SECRET = `s3cr3t/${Math.random().toString(36).slice(2)}+KEY`;
const PROFILES = ['alpha', 'my profile', `$(touch ${MARKER})`, "it's", 'a"b', 'back\\slash', 'café-日本', 'beta', 'default', 'quoted name', 'sso-dev'];
const credentials = join(world, 'credentials');
const config = join(world, 'config');
writeFileSync(
  credentials,
  ['alpha', 'my profile', `$(touch ${MARKER})`, "it's", 'a"b', 'back\\slash', 'café-日本']
    .map((name) => `[${name}]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = ${SECRET}\n`)
    .join('') + `[DEFAULT]\nregion = eu-west-1\n`,
);
writeFileSync(
  config,
  '[profile beta]\nregion = eu-west-1\n[default]\nregion = us-east-1\n[profile "quoted name"]\nregion = x\n' +
    `[profile sso-dev]\nsso_session = corp\n[sso-session corp]\nsso_start_url = https://example.awsapps.com/start\n[preview]\ncloudfront = true\n[services s3]\ns3 =\n  endpoint_url = http://127.0.0.1:9\n` +
    `[alpha]\naws_secret_access_key = ${SECRET}\n`,
);
const bin = join(world, 'bin');
mkdirSync(bin);
writeFileSync(join(bin, 'cc-helper'), `#!/bin/sh\nexec '${process.execPath}' '${HELPER_BIN}' "$@"\n`);
chmodSync(join(bin, 'cc-helper'), 0o755);
const env = {
  PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`,
  HOME: world,
  AWS_SHARED_CREDENTIALS_FILE: credentials,
  AWS_CONFIG_FILE: config,
  LANG: 'C.UTF-8',
  LC_ALL: 'C.UTF-8',
};

function cc(args: string[], extra: Record<string, string> = {}) {
  return spawnSync(process.execPath, [HELPER_BIN, ...args], { env: { ...env, ...extra }, encoding: 'utf8' });
}

test('the model knows what every valued option and argument of every command is', (t) => {
  const model = completionModel(specs, helperSpec);
  t.deepEqual(model.commands.map((c) => c.name), [...Object.keys(COMMANDS), 'help']);
  // A new valued option nobody told completion about stops the script, rather than completing wrongly.
  const error = t.throws(() => completionModel([...specs, { name: 'frob', spec: { name: 'frob', summary: '', usage: '', valued: ['frobnicate'] } }], helperSpec));
  t.regex(error!.message, /--frobnicate has no completion kind/);
});

test('completion --profiles: the profiles the AWS CLI sees, names only, from the files the variables name', (t) => {
  const r = cc(['completion', '--profiles']);
  t.is(r.status, 0, r.stderr);
  t.is(r.stderr, '');
  t.deepEqual(r.stdout.split('\n').slice(0, -1), [...PROFILES].sort());
  t.false(r.stdout.includes(SECRET) || r.stdout.includes('AKIA'), 'no value of any section');
  // No files: nothing, quietly. A file the AWS CLI refuses adds nothing (the other file still does).
  const none = cc(['completion', '--profiles'], { AWS_SHARED_CREDENTIALS_FILE: join(world, 'absent'), AWS_CONFIG_FILE: join(world, 'absent') });
  t.deepEqual([none.status, none.stdout, none.stderr], [0, '', '']);
  const broken = join(world, 'broken');
  writeFileSync(broken, `[ok]\naws_secret_access_key = ${SECRET}\nnot a line the CLI reads\n`);
  const refused = cc(['completion', '--profiles'], { AWS_SHARED_CREDENTIALS_FILE: broken });
  t.deepEqual([refused.status, refused.stdout, refused.stderr], [0, 'beta\ndefault\nquoted name\nsso-dev\n', '']);
  t.is(cc(['completion', '--profiles', 'bash']).status, 2);
  t.is(cc(['completion']).status, 2);
  t.is(cc(['completion', 'tcsh']).status, 2);
});

needs(AWS_CLI_V2)('completion --profiles lists what `aws configure list-profiles` lists', (t) => {
  const aws = spawnSync('/usr/bin/aws', ['configure', 'list-profiles'], { env: { ...env, AWS_PAGER: '' }, encoding: 'utf8' });
  t.is(aws.status, 0, aws.stderr);
  t.deepEqual(cc(['completion', '--profiles']).stdout.split('\n').slice(0, -1), aws.stdout.split('\n').filter(Boolean).sort());
});

// ---------------------------------------------------------------------------------------------
// bash

const bashTest = needs(POSIX, BASH);

/** COMPREPLY for the words (the last one is being completed), from a fresh bash with the script loaded. */
function bashComplete(words: string[]): string[] {
  const driver = 'eval "$(cc-helper completion bash)"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); _cc_helper; ((${#COMPREPLY[@]} == 0)) || printf "%s\\0" "${COMPREPLY[@]}"';
  const r = spawnSync('bash', ['--norc', '--noprofile', '-c', driver, 'bash', ...words], { env, encoding: 'utf8' });
  if (r.status !== 0 || r.stderr !== '') throw new Error(`bash: ${r.status} ${r.stderr}`);
  return r.stdout.split('\0').slice(0, -1);
}

/** The word bash reads back from what completion inserts (as the line would hold it). */
function bashReads(inserted: string): string {
  return spawnSync('bash', ['--norc', '--noprofile', '-c', `printf '%s' ${inserted}`], { env, encoding: 'utf8' }).stdout;
}

bashTest('bash: every command, action and option the specs define is completed, and nothing else', (t) => {
  const sorted = (words: string[]) => [...words].sort();
  t.deepEqual(sorted(bashComplete(['cc-helper', ''])), sorted([...Object.keys(COMMANDS), 'help']));
  t.deepEqual(sorted(bashComplete(['cc-helper', '--'])), sorted([...optionsOf(helperSpec), '--version']));
  for (const { name, spec } of specs) {
    if (spec.actions) {
      t.deepEqual(sorted(bashComplete(['cc-helper', name, ''])), sorted(Object.keys(spec.actions)), `${name}: its actions`);
      for (const [action, own] of Object.entries(spec.actions)) {
        t.deepEqual(bashComplete(['cc-helper', name, action, '--']).sort(), optionsOf(spec, own), `${name} ${action}: its options`);
      }
    } else {
      t.deepEqual(bashComplete(['cc-helper', name, '--']).sort(), optionsOf(spec), `${name}: its options`);
    }
  }
  // Options may come after positionals, and the helper line's before the command.
  t.deepEqual(bashComplete(['cc-helper', 'vault', 'add', 'alpha', '--ba']), ['--backend']);
  t.deepEqual(bashComplete(['cc-helper', '--profile', 'alpha', 'g']), ['get']);
});

bashTest('bash: profile names, hostile ones included, go back quoted so that bash reads each name, and nothing runs', (t) => {
  for (const words of [
    ['cc-helper', 'setup', '--profile', ''],
    ['cc-helper', '--profile', ''],
    ['cc-helper', 'vault', 'add', ''],
    ['cc-helper', 'vault', 'add', 'x', '--source-profile', ''],
    ['cc-helper', 'session', 'start', ''],
    ['cc-helper', 'setup', '--profile', '=', ''],
  ]) {
    const offered = bashComplete(words);
    t.deepEqual(offered.map(bashReads).sort(), [...PROFILES].sort(), words.join(' '));
  }
  t.false(existsSync(MARKER), 'a $(...) in a profile name never ran');
  // What the user typed so far, as typed: escaped, inside an open quote, after --profile=.
  t.deepEqual(bashComplete(['cc-helper', 'setup', '--profile', 'my\\ p']), ['my\\ profile']);
  t.deepEqual(bashComplete(['cc-helper', 'setup', '--profile', "'my p"]), ['my profile']);
  t.deepEqual(bashComplete(['cc-helper', 'setup', '--profile', '=', 'al']), ['alpha']);
  t.deepEqual(bashComplete(['cc-helper', 'setup', '--profile', '\\$']).map(bashReads), [`$(touch ${MARKER})`]);
  t.deepEqual(bashComplete(['cc-helper', 'setup', '--profile', 'caf']).map(bashReads), ['café-日本']);
  // A profile is completed once: the argument is given, and a value of another kind is no profile.
  t.deepEqual(bashComplete(['cc-helper', 'vault', 'remove', 'alpha', '']), []);
  t.deepEqual(bashComplete(['cc-helper', 'vault', 'add', 'x', '--backend', '']), ['file', 'keyring', 'leapp']);
  t.deepEqual(bashComplete(['cc-helper', 'setup', '--account', '']), []);
  t.deepEqual(bashComplete(['cc-helper', 'completion', '']), ['bash', 'zsh', 'fish']);
  t.deepEqual(bashComplete(['cc-helper', 'help', 'se']), ['setup', 'session']);
  t.false(existsSync(MARKER));
});

bashTest('bash: folders for --dir and --repo', (t) => {
  mkdirSync(join(world, 'clients', 'acme co'), { recursive: true });
  t.deepEqual(bashComplete(['cc-helper', 'setup', '--dir', `${world}/cli`]), [`${world}/clients`]);
  t.deepEqual(bashComplete(['cc-helper', 'doctor', '--repo', `${world}/clients/ac`]).map(bashReads), [`${world}/clients/acme co`]);
});

// ---------------------------------------------------------------------------------------------
// zsh, on a pseudo-terminal: each line is typed, then TAB, then a key bound to a widget that
// writes the edited line to a file.

needs(POSIX, ZSH)('zsh: TAB completes commands, options and hostile profile names, quoted by zsh, and nothing runs', (t) => {
  const dir = join(world, 'zsh');
  mkdirSync(dir, { recursive: true });
  const dump = join(dir, 'line');
  writeFileSync(
    join(dir, '.zshrc'),
    `PS1='> '\nautoload -U compinit && compinit -u -D\neval "$(cc-helper completion zsh)"\n` +
      `__cc_dump() { print -r -- "$BUFFER" > ${dump}.tmp && mv ${dump}.tmp ${dump} }\nzle -N __cc_dump\nbindkey '^X' __cc_dump\n`,
  );
  const lines: Array<[typed: string, expected: string]> = [
    ['cc-helper comp', 'cc-helper completion '],
    ['cc-helper completion f', 'cc-helper completion fish '],
    ['cc-helper setup --pro', 'cc-helper setup --profile '],
    ['cc-helper setup --profile al', 'cc-helper setup --profile alpha '],
    ['cc-helper setup --profile my', 'cc-helper setup --profile my\\ profile '],
    ['cc-helper setup --profile \\$', `cc-helper setup --profile \\$\\(touch\\ ${MARKER.replace(/\//g, '/')}\\) `],
    ['cc-helper setup --profile=be', 'cc-helper setup --profile=beta '],
    ['cc-helper vault a', 'cc-helper vault add '],
    ['cc-helper vault add x --source-profile it', "cc-helper vault add x --source-profile it\\'s "],
    ['cc-helper vault add x --backend k', 'cc-helper vault add x --backend keyring '],
    ['cc-helper session start sso', 'cc-helper session start sso-dev '],
    ['cc-helper --profile alpha g', 'cc-helper --profile alpha get '],
  ];
  const driver = [
    'zmodload zsh/zpty',
    `zpty z env ZDOTDIR=${dir} zsh -i`,
    'drain() { local chunk; while zpty -rt z chunk 2>/dev/null; do :; done }',
    'for line in "$@"; do',
    `  rm -f ${dump}`,
    "  zpty -w -n z \"$line\"$'\\t\\x18'",
    `  for i in {1..400}; do [[ -e ${dump} ]] && break; drain; sleep 0.05; done`,
    `  print -r -- "$(<${dump})"`,
    "  zpty -w -n z $'\\x15'",
    '  drain',
    'done',
    'zpty -d z',
  ].join('\n');
  const r = spawnSync('zsh', ['-f', '-c', driver, 'zsh', ...lines.map(([typed]) => typed)], { env, encoding: 'utf8', timeout: 60_000 });
  t.is(r.status, 0, r.stderr);
  t.deepEqual(r.stdout.split('\n').slice(0, lines.length), lines.map(([, expected]) => expected));
  t.false(existsSync(MARKER), 'a $(...) in a profile name never ran');
});

// ---------------------------------------------------------------------------------------------
// fish: `complete -C LINE` prints what TAB would offer, one candidate a line (a tab, then its description).

needs(POSIX, FISH)('fish: complete -C offers commands, actions, options and profile names, and nothing runs', (t) => {
  const script = join(world, 'cc-helper.fish');
  writeFileSync(script, cc(['completion', 'fish']).stdout);
  const offered = (line: string) => {
    const r = spawnSync('fish', ['--no-config', '-c', `source ${script}; complete -C $argv[1]`, line], { env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`fish: ${r.status} ${r.stderr}`);
    return r.stdout.split('\n').filter(Boolean).map((l) => l.split('\t')[0]!).sort();
  };
  t.deepEqual(offered('cc-helper '), [...Object.keys(COMMANDS), 'help'].sort());
  for (const { name, spec } of specs) {
    if (spec.actions) {
      t.deepEqual(offered(`cc-helper ${name} `), Object.keys(spec.actions).sort(), name);
      for (const [action, own] of Object.entries(spec.actions)) t.deepEqual(offered(`cc-helper ${name} ${action} --`), optionsOf(spec, own), `${name} ${action}`);
    } else {
      t.deepEqual(offered(`cc-helper ${name} --`), optionsOf(spec), name);
    }
  }
  t.deepEqual(offered('cc-helper setup --profile '), [...PROFILES].sort());
  t.deepEqual(offered('cc-helper vault add '), [...PROFILES].sort());
  t.deepEqual(offered('cc-helper setup --profile=al'), ['--profile=alpha']);
  t.deepEqual(offered('cc-helper vault add x --backend '), ['file', 'keyring', 'leapp']);
  t.deepEqual(offered('cc-helper --profile alpha g'), ['get']);
  t.false(existsSync(MARKER), 'a $(...) in a profile name never ran');
});

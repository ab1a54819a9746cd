// The argv grammar where cc-helper's differs from node:util parseArgs's own reading, which
// src/cli/args.ts is built on: these hold because of the checks it adds on parseArgs's tokens, and
// each would change if parseArgs's reading were taken as it is. In process: findCommand and
// parseCommand, as main() calls them.
import test from 'ava';
import { findCommand, parseCommand, type ParsedArgs } from '../src/cli/args.js';
import { command as helper } from '../src/cli/helper-command.js';
import { command as session } from '../src/cli/session-command.js';
import { command as setup } from '../src/cli/setup-command.js';
import { UsageError } from '../src/support/errors.js';

const SPECS = { get: helper.spec, session: session.spec, setup: setup.spec } as const;

/** What main() does with argv before running the command: the command word, then its options and arguments. */
function parse(argv: string[]): { at: number; parsed: ParsedArgs } {
  const at = findCommand(argv, helper.spec);
  const name = argv[at] as keyof typeof SPECS;
  return { at, parsed: parseCommand(argv, at, name, SPECS[name]) };
}

function refusal(argv: string[]): string {
  try {
    parse(argv);
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  return 'accepted';
}

test('a value option does not take a following --word as its value (parseArgs would: a profile named --debug)', (t) => {
  t.is(refusal(['--profile', '--debug', 'get']), 'option --profile needs a value: see `cc-helper help get`');
  t.is(refusal(['setup', '--profile', '--global']), 'option --profile needs a value: see `cc-helper help setup`');
  t.is(refusal(['setup', '--profile', '--']), 'option --profile needs a value: see `cc-helper help setup`');
  // Written as one word, or a value with one dash, it is the value.
  t.deepEqual(parse(['--profile=--debug', 'get']).parsed.options.get('profile'), ['--debug']);
  t.deepEqual(parse(['setup', '--profile', '-x']).parsed.options.get('profile'), ['-x']);
});

test('a word with one dash and more than one letter is an argument, not short options run together (parseArgs would read -d -a -s -h)', (t) => {
  const { parsed } = parse(['session', 'stop', '-dash']);
  t.deepEqual(parsed.rest, ['stop', '-dash']);
  t.deepEqual([...parsed.options.keys()], [], 'no -h (help) read out of it');
  // Two letters are an option, refused with the way to pass such a name.
  t.regex(refusal(['session', 'stop', '-x']), /^session stop does not take -x: see `cc-helper help session`; a profile name that starts with "-" goes after --: cc-helper session stop -- -x$/);
  t.deepEqual(parse(['session', 'stop', '--', '-x']).parsed.rest, ['stop', '-x']);
});

test('an unknown option is named as written, with the closest known one, before the command and after it', (t) => {
  t.is(refusal(['setup', '--profle=X']), 'setup does not take --profle (did you mean --profile?): see `cc-helper help setup`');
  t.is(refusal(['setup', '--=x']), 'setup does not take --: see `cc-helper help setup`');
  t.is(refusal(['get', '-v']), 'get does not take -v: see `cc-helper help get`');
  t.regex(refusal(['--dir=/tmp', 'setup']), /^unknown option --dir before the command: /);
  t.regex(refusal(['-abc', 'get']), /^unknown option -abc before the command: /);
});

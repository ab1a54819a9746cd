// The one shell-word splitter (src/support/shell-words.ts) against the two real readers it stands
// in for: Python's shlex.split (botocore splits config section names with it) and sh (git runs
// `!` credential helper lines through it), on a corpus of hostile lines. Each dialect must give
// what its oracle gives, word for word, or fail where it fails.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { shlexSplit, shWords } from '../src/support/shell-words.js';
import { botocorePython, BOTOCORE_PYTHON, needs, POSIX } from './support/prerequisites.js';

/** Lines both oracles can take: no unquoted `$`, `` ` ``, `~`, globs or operators (sh would expand or run them). */
const CORPUS = [
  'plain',
  'two words',
  '  lead  and   trail  ',
  'tab\there',
  'cr\rin the middle',
  'nbsp\u00a0and\u2003em space',
  "a''b",
  "''",
  "a '' b",
  '""',
  'a "" b',
  '"a b" c',
  `'a b'c"d e"f`,
  'a\\ b',
  'a\\\\b',
  '\\"quoted\\"',
  '"a\\"b"',
  '"a\\\\b"',
  '"a\\b"',
  '"a\\$b"',
  '"a\\`b"',
  "'a\\b'",
  "'it'\\''s'",
  "'$HOME' '`id`'",
  'é ü 名前 😀',
  '"名 前" \'😀 x\'',
  '#x',
  'a #x y',
  'a#b',
  '\\#a',
  '"#a" b',
  "'#' b",
  'x\\',
  'x \\',
  'a\\\nb',
  '"a\\\nb"',
  'a \\\n b',
  "'open",
  '"open',
  'a "b c',
  "a 'b c",
  '"a\\',
  '--profile "my profile" --account 111122223333',
  "--profile 'it'\"'\"'s' get",
];

test('the corpus has what a hostile line has', (t) => {
  for (const needed of ["'", '"', '\\', '#', "''", '\u00a0', '😀', '\\\n']) t.true(CORPUS.some((line) => line.includes(needed)), needed);
});

needs(BOTOCORE_PYTHON)('shlexSplit gives what Python\'s shlex.split gives, and fails where it raises', (t) => {
  const script = 'import json, shlex, sys\nout = []\nfor s in json.load(sys.stdin):\n    try: out.append(shlex.split(s))\n    except ValueError: out.append(None)\nprint(json.dumps(out))';
  const r = spawnSync(botocorePython()!, ['-c', script], { input: JSON.stringify(CORPUS), encoding: 'utf8' });
  t.is(r.status, 0, r.stderr);
  const expected = JSON.parse(r.stdout) as Array<string[] | null>;
  CORPUS.forEach((line, i) => t.deepEqual(shlexSplit(line) ?? null, expected[i], JSON.stringify(line)));
  t.true(expected.some((words) => words === null) && expected.some((words) => words !== null));
});

needs(POSIX)('shWords gives the words sh gives a command, and reads on where sh refuses an open quote', (t) => {
  let refused = 0;
  for (const line of CORPUS) {
    // A function that prints its argument count and arguments, NUL-separated; globbing off.
    const r = spawnSync('sh', ['-c', `set -f; f() { printf '%s\\0' "$#" "$@"; }; f ${line}`], { encoding: 'utf8', env: { PATH: process.env.PATH } });
    if (r.status !== 0) {
      // sh: "Unterminated quoted string". Doctor still reads the words, the open one running to the end.
      t.regex(r.stderr, /unterminated|EOF|syntax error/i, JSON.stringify(line));
      t.true(/(^|[^\\])['"][^'"]*$/.test(line), `only an open quote makes sh refuse: ${JSON.stringify(line)}`);
      refused++;
      continue;
    }
    const [count, ...words] = r.stdout.split('\0').slice(0, -1);
    t.is(words.length, Number(count));
    t.deepEqual(shWords(line), words, JSON.stringify(line));
  }
  t.deepEqual([shWords("'open"), shWords('a "b c'), shWords('"a\\')], [['open'], ['a', 'b c'], ['a\\']]);
  t.true(refused > 0);
});

test("the dialects' differences, on purpose: sh's operators and comments end words, shlex keeps them; CR is a blank only to shlex", (t) => {
  t.deepEqual(shWords('codecommit --profile a;b'), ['codecommit', '--profile', 'a', 'b']);
  t.deepEqual(shWords('a|b&c<d>e(f)g'), ['a', 'b', 'c', 'd', 'e', 'f', 'g']);
  t.deepEqual(shlexSplit('a;b|c'), ['a;b|c']);
  t.deepEqual(shWords('a #b\nc'), ['a', 'c']);
  t.deepEqual(shlexSplit('a #b'), ['a', '#b']);
  t.deepEqual(shWords('a\rb'), ['a\rb']);
  t.deepEqual(shlexSplit('a\rb'), ['a', 'b']);
  t.deepEqual(shWords('"\\$x"'), ['$x']);
  t.deepEqual(shlexSplit('"\\$x"'), ['\\$x']);
});

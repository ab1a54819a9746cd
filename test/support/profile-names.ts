// Profile names the AWS CLI accepts that careless quoting breaks: shell syntax ($, backticks,
// quotes, ;, #, &, |, globs), git config syntax (" \ # ;), INI syntax (] [ # ; =), blanks at the
// edges, a tab, a leading "-", and non-ASCII letters. And the names nothing line-based can carry.

/** Every one must work end to end: on the helper line, in the AWS files, in messages. */
export const AWKWARD_PROFILE_NAMES: readonly string[] = [
  'my profile', 'foo bar baz', ' edges ', 'tab\there', "it's", 'say "hi"', `both ' and "`,
  'a#b', '# lead', 'a;b', '; lead', '$HOME', '${PATH:-x}', '$(touch pwned)', '`touch pwned`',
  'back\\slash', 'trailing\\', '\\"', 'a]b', 'x]', '[x]', 'a=b', '%41%20', '*?', '~root', '!bang', 'a && b | c > d < e',
  '(x){y}', 'dév', 'de\u0301v', '開発チーム', 'Ωmega λ', '-dash', '--allow-default', 'DEFAULT',
];

/** A few that cover every kind above between them, for the slower end-to-end runs. */
export const NASTY_PROFILE_NAMES: readonly string[] = [
  `it's "q" #1; $HOME \`id\` \\ ]`, 'dév 開発\tx', ' -edge ', '-dash',
];

/** What cannot be carried safely: refused with one line, nothing written. */
export const UNCARRIABLE_PROFILE_NAMES: readonly string[] = ['a\nb', 'a\r\nb', 'cr\r', 'nul\0x', 'bell\x07', 'esc\x1b[31m', 'del\x7f', 'nel\u0085', 'ls\u2028x', ''];

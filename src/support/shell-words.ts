// Splitting a line into words as a shell does, without expansions, for the two readers whose
// lines cc-helper must read exactly as they do:
//
// - Python's `shlex.split(s)` (POSIX mode, no comments): botocore splits a config section name
//   with it (botocore/configloader.py, build_profile_map: `parts = shlex.split(key)`), and on
//   POSIX systems `credential_process` too (botocore/compat.py, compat_shell_split). It raises on
//   an open quote or a trailing backslash (Lib/shlex.py, shlex.read_token).
// - sh: git hands a `!` credential helper line (with the action appended) to the shell, and a
//   short `name args` line as `git credential-name args` (gitcredentials(7), "Custom helpers";
//   git's run-command.c prepare_shell_cmd). POSIX "Shell Command Language" 2.2 (quoting), 2.3
//   (tokens, operators, `#` comments) is what sh does with it.
//
// The rules are the same but for the differences below, which are the dialect: which blanks
// separate words (shlex also CR), sh's unquoted operators `; & | < > ( )` (they end a word; the
// command after them is not cc-helper's, so the words just run on), what a backslash escapes
// inside double quotes (shlex: `"` `\`; sh also `$` and `` ` ``), `#` starting a comment (sh
// only), backslash-newline (sh removes it, 2.2.1; shlex keeps the newline), and an open quote or
// trailing backslash (shlex raises: undefined; sh fails the command, and doctor still reads what
// it can, to the end of the line; a trailing backslash sh keeps as it is).

interface Dialect {
  blanks: string;
  operators: string;
  escapedInDoubleQuotes: string;
  comments: boolean;
  /** Backslash-newline is removed, in double quotes too (sh's line continuation). */
  continuesLines: boolean;
  /** An open quote or a trailing backslash makes the line unreadable (undefined). */
  strict: boolean;
}

const PYTHON_SHLEX: Dialect = { blanks: ' \t\r\n', operators: '', escapedInDoubleQuotes: '"\\', comments: false, continuesLines: false, strict: true };
const POSIX_SH: Dialect = { blanks: ' \t\n', operators: ';&|<>()', escapedInDoubleQuotes: '"\\$`', comments: true, continuesLines: true, strict: false };

/** Python's `shlex.split(s)`; undefined where it raises (an open quote, a trailing backslash). */
export function shlexSplit(s: string): string[] | undefined {
  return splitWords(s, PYTHON_SHLEX);
}

/** The words sh makes of `s` (no expansions; operators and comments dropped; lenient at an open quote). */
export function shWords(s: string): string[] {
  return splitWords(s, POSIX_SH)!;
}

function splitWords(s: string, dialect: Dialect): string[] | undefined {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (dialect.blanks.includes(ch) || dialect.operators.includes(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if (ch === "'") {
      let close = s.indexOf("'", i + 1);
      if (close < 0) {
        if (dialect.strict) return undefined;
        close = s.length;
      }
      word += s.slice(i + 1, close);
      inWord = true;
      i = close;
    } else if (ch === '"') {
      inWord = true;
      for (i++; ; i++) {
        if (i >= s.length) {
          if (dialect.strict) return undefined;
          break;
        }
        const q = s[i]!;
        if (q === '"') break;
        if (q === '\\' && s[i + 1] === '\n' && dialect.continuesLines) {
          i++;
          continue;
        }
        if (q === '\\' && i + 1 < s.length && dialect.escapedInDoubleQuotes.includes(s[i + 1]!)) {
          word += s[++i];
          continue;
        }
        word += q;
      }
    } else if (ch === '\\' && s[i + 1] === '\n' && dialect.continuesLines) {
      i++;
    } else if (ch === '\\') {
      if (i + 1 >= s.length) {
        if (dialect.strict) return undefined;
        word += ch;
      } else {
        word += s[++i];
      }
      inWord = true;
    } else if (ch === '#' && dialect.comments && !inWord) {
      const newline = s.indexOf('\n', i);
      i = newline < 0 ? s.length : newline;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

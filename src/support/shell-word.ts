// Words for a POSIX shell: the shell git runs `!` credential helpers with (it appends the action
// and hands the text to `sh -c`), and the commands messages tell a person to type. A profile name
// may be anything the AWS CLI accepts (spaces, quotes, `$`, backticks, non-ASCII letters), so a
// name is never pasted into a command line as it is.

/** A word the shell leaves alone; anything else is single-quoted (`'` itself as `'\''`). */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_.,+@=%:/-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * `--profile NAME` as one or two shell words. A name that starts with `-` goes as
 * `--profile=NAME`: after a bare `--profile` it would read as an option (the AWS CLI's argument
 * parser refuses `--profile -x` too, and takes `--profile=-x`).
 */
export function profileOption(name: string): string {
  return name.startsWith('-') ? shellQuote(`--profile=${name}`) : `--profile ${shellQuote(name)}`;
}

/** A profile name as a positional argument: after `--` when it starts with `-`, so it is no option. */
export function profileArgument(name: string): string {
  return name.startsWith('-') ? `-- ${shellQuote(name)}` : shellQuote(name);
}

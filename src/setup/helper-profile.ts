// The options a cc-helper helper line passes: git runs the value through the shell with `get`
// appended (https://git-scm.com/docs/gitcredentials#_custom_helpers), so the line is split into
// words as sh would (quotes and backslashes; no expansions), and `--profile` / `--allow-default` /
// `--credentials` / `--account` are read as cc-helper's own argument parser reads them (the last one wins).
import { shWords } from '../support/shell-words.js';

export interface HelperLineOptions {
  profile: string | undefined;
  allowDefault: boolean;
  /** `--credentials MODE` (`ambient`), when given. */
  credentials: string | undefined;
  /** `--account ID`, when given. */
  account: string | undefined;
}

export function helperLineOptions(value: string): HelperLineOptions {
  const words = shWords(value.trim().replace(/^!\s*/, ''));
  let profile: string | undefined;
  let allowDefault = false;
  const valued: Record<'credentials' | 'account', string | undefined> = { credentials: undefined, account: undefined };
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word === '--profile' && i + 1 < words.length) profile = words[++i];
    else if (word.startsWith('--profile=')) profile = word.slice('--profile='.length);
    else if (word === '--allow-default') allowDefault = true;
    for (const name of ['credentials', 'account'] as const) {
      if (word === `--${name}` && i + 1 < words.length) valued[name] = words[++i];
      else if (word.startsWith(`--${name}=`)) valued[name] = word.slice(name.length + 3);
    }
  }
  return { profile, allowDefault, ...valued };
}

/**
 * The absolute programs a helper value starts: Node and cc-helper's entry for the lines setup
 * writes (the words after `exec`), the leading absolute words of any other `!` line, or the
 * value's first word when it is an absolute path. `codecommit …` lines (the older form, found
 * on PATH) name none.
 */
export function helperPrograms(value: string): string[] {
  const v = value.trim();
  const absolute = /^([A-Za-z]:)?[\\/]/;
  if (!v.startsWith('!')) return absolute.test(v) ? shWords(v).slice(0, 1) : [];
  const words = shWords(v.slice(1));
  const execAt = words.indexOf('exec');
  const programs: string[] = [];
  for (const word of execAt >= 0 ? words.slice(execAt + 1) : words) {
    if (!absolute.test(word)) break;
    programs.push(word);
  }
  return programs;
}

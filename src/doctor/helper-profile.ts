// The options a cc-helper helper line passes: git runs the value through the shell with `get`
// appended (https://git-scm.com/docs/gitcredentials#_custom_helpers), so the line is split into
// words as sh would (quotes and backslashes; no expansions), and `--profile`, `--allow-default`
// and `--account` are read as cc-helper's own argument parser reads them (the last one wins).

export interface HelperLineOptions {
  profile: string | undefined;
  allowDefault: boolean;
  /** `--account ID` (pinning), the last one. */
  account?: string;
}

export function helperLineOptions(value: string): HelperLineOptions {
  const words = shellWords(value.trim().replace(/^!\s*/, ''));
  let profile: string | undefined;
  let allowDefault = false;
  let account: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word === '--profile' && i + 1 < words.length) profile = words[++i];
    else if (word.startsWith('--profile=')) profile = word.slice('--profile='.length);
    else if (word === '--allow-default') allowDefault = true;
    else if (word === '--account' && i + 1 < words.length) account = words[++i];
    else if (word.startsWith('--account=')) account = word.slice('--account='.length);
  }
  return account === undefined ? { profile, allowDefault } : { profile, allowDefault, account };
}

/** sh word splitting without expansions: '…' literal, "…" with \-escapes, bare \x. */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      current += text.slice(i + 1, end < 0 ? text.length : end);
      i = end < 0 ? text.length : end;
      inWord = true;
    } else if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1]!)) i++;
        current += text[i++];
      }
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      current += text[++i];
      inWord = true;
    } else if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += c;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}

// Account pinning for codecommit:: URLs. `cc-helper setup --account ID` pins a profile: its
// credentials must belong to that account. The drop-in's own helper line carries the same pin, so
// a codecommit:: URL cannot push with a pinned profile's credentials from another account.
// Read straight from the files setup owns (a few small files, no git run: the bin starts for
// every fetch and push).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { helperLineOptions } from '../doctor/helper-profile.js';
import { ownedDir } from '../setup/scope.js';
import { GrcUrlError } from './grc-url.js';

/** The account setup pinned `profile` to, if any; a GrcUrlError when setup pins it to two. */
export function pinnedAccount(profile: string, env: NodeJS.ProcessEnv): string | undefined {
  let dir: string;
  let names: string[];
  try {
    dir = ownedDir(env);
    names = readdirSync(dir).filter((n) => n.endsWith('.gitconfig'));
  } catch {
    return undefined; // no setup yet (or no HOME to have one in)
  }
  const accounts = new Set<string>();
  for (const name of names) {
    let text: string;
    try {
      text = readFileSync(join(dir, name), 'utf8');
    } catch {
      continue;
    }
    for (const m of text.matchAll(/^[ \t]*helper[ \t]*=[ \t]*(.+)$/gm)) {
      const options = helperLineOptions(configValue(m[1]!));
      if (options.profile === profile && options.account !== undefined) accounts.add(options.account);
    }
  }
  if (accounts.size > 1) {
    throw new GrcUrlError(`setup pins the profile "${profile}" to ${accounts.size} accounts (${[...accounts].join(', ')}): see cc-helper setup --list, and keep one`);
  }
  return [...accounts][0];
}

/** A value as git writes it into a config file: `"..."` runs unquoted, `\x` escapes undone. */
function configValue(raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '\\' && i + 1 < raw.length) {
      const next = raw[++i]!;
      out += next === 'n' ? '\n' : next === 't' ? '\t' : next;
    } else if (c !== '"') out += c;
  }
  return out.trimEnd();
}

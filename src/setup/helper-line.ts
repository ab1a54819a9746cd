// The `helper = ...` value setup writes: how git will start cc-helper, and with which profile.
//
// git runs a helper value through the shell (https://git-scm.com/docs/gitcredentials#_custom_helpers):
//   `codecommit --profile X`  -> `git credential-codecommit --profile X get`
//   `!cmd ...`                -> the shell snippet, with `get`/`store`/`erase` appended
// so everything that is not a plain safe word is single-quoted here.
import { constants } from 'node:fs';
import { access, readFile, realpath, stat } from 'node:fs/promises';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkProfileName, DEFAULT_PROFILE } from '../aws/profile-choice.js';
import { UserError } from '../support/errors.js';

/** How git should start cc-helper. */
export type Launcher =
  /** `git-credential-codecommit` (this package's second bin) is on PATH. */
  | { kind: 'git-credential'; found: string }
  /** Otherwise: this node, running this package's bin by absolute path. */
  | { kind: 'node'; node: string; script: string };

const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const CC_HELPER_SCRIPT = join(PACKAGE_ROOT, 'bin', 'cc-helper.js');
const GIT_CREDENTIAL_BIN = 'git-credential-codecommit';

/** A word the shell leaves alone; anything else is single-quoted. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_.,+@=%:/-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export function helperLine(profile: string, launcher: Launcher, options: { allowDefault?: boolean; account?: string | undefined } = {}): string {
  checkProfileName(profile);
  if (profile.startsWith('-')) {
    throw new UserError(`invalid profile name ${JSON.stringify(profile.slice(0, 40))}: a name starting with - would read as an option on the helper line`);
  }
  const args = ['--profile', profile];
  if (profile === DEFAULT_PROFILE && options.allowDefault) args.push('--allow-default');
  if (options.account !== undefined) {
    if (!/^\d{12}$/.test(options.account)) throw new UserError(`--account ${JSON.stringify(options.account.slice(0, 40))} is not an AWS account id (12 digits, like 123456789012)`);
    args.push('--account', options.account);
  }
  if (launcher.kind === 'git-credential') return ['codecommit', ...args.map(shellQuote)].join(' ');
  return '!' + [launcher.node, launcher.script, ...args].map(shellQuote).join(' ');
}

/**
 * `codecommit` when the first `git-credential-codecommit` on PATH belongs to a cc-helper install
 * (its package.json says so), else this node and this bin by absolute path. A different program
 * of that name first on PATH is reported in `note`, not used.
 */
export async function chooseLauncher(env: NodeJS.ProcessEnv): Promise<{ launcher: Launcher; note?: string }> {
  const fallback: Launcher = { kind: 'node', node: process.execPath, script: CC_HELPER_SCRIPT };
  const found = await findOnPath(GIT_CREDENTIAL_BIN, env.PATH ?? '');
  const transient = /[\\/]_npx[\\/]/.test(CC_HELPER_SCRIPT)
    ? 'cc-helper runs from npx\'s cache, which can be cleaned at any time: install it (`npm install -g` with the package or tarball you gave npx: see the README, "Install") and run setup again'
    : undefined;
  if (!found) return transient ? { launcher: fallback, note: transient } : { launcher: fallback };
  if (await isCcHelperBin(found)) return { launcher: { kind: 'git-credential', found } };
  return {
    launcher: fallback,
    note: `${found} is not cc-helper's ${GIT_CREDENTIAL_BIN}, so the helper line names cc-helper by absolute path`,
  };
}

async function findOnPath(name: string, path: string): Promise<string | undefined> {
  for (const dir of path.split(delimiter)) {
    if (!dir || !dir.startsWith('/')) continue; // a relative PATH entry would depend on git's cwd
    const candidate = join(dir, name);
    try {
      if ((await stat(candidate)).isFile()) {
        await access(candidate, constants.X_OK);
        return candidate;
      }
    } catch {
      // not here
    }
  }
  return undefined;
}

async function isCcHelperBin(file: string): Promise<boolean> {
  try {
    const real = await realpath(file);
    const pkg = JSON.parse(await readFile(join(dirname(real), '..', 'package.json'), 'utf8')) as { name?: unknown };
    return pkg.name === 'cc-helper';
  } catch {
    return false;
  }
}

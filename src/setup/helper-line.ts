// The `helper = ...` value setup writes: how git will start cc-helper, and with which profile.
//
// git runs a `!` helper value as a shell snippet: it appends " get" (or store, erase) to the
// text and hands it to `sh -c` (credential.c; Git for Windows runs its MSYS bash the same way).
// GUI clients and IDEs start git without the user's shell PATH, and nvm/fnm/volta put Node in a
// directory only that shell knows, so the line names Node and cc-helper's entry by absolute path,
// single-quoted for sh, and so is the profile name, which may hold anything the AWS CLI accepts
// (spaces, quotes, `$`, backticks, `#`, `;`, non-ASCII letters; see profile-choice.ts). The value
// then goes through `git config`, which adds the config file's own escaping of `"` and `\`
// (config-render.ts), so nothing here needs to know about it.
//
// Only `get` needs cc-helper: `store` and `erase` are no-ops for a helper that keeps nothing, so
// the snippet drains git's request with the shell's own `read` instead of starting Node for them.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkProfileName, DEFAULT_PROFILE } from '../aws-files/profile-choice.js';
import { UserError } from '../support/errors.js';
import { shellQuote } from '../support/shell-word.js';

export { shellQuote };

/** How git should start cc-helper: this Node, running this package's entry, both absolute. */
export interface Launcher {
  node: string;
  script: string;
}

const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const CC_HELPER_SCRIPT = join(PACKAGE_ROOT, 'bin', 'cc-helper.js');

/**
 * A path as git's shell should see it. A Windows path (`C:\…`, `\\server\share\…`) gets forward
 * slashes: Git for Windows' bash runs `C:/Program Files/nodejs/node.exe` as it is, and Node reads
 * `C:/…` script paths, while backslashes would need their own escaping everywhere. POSIX paths
 * are left as they are (a backslash is an ordinary, if odd, file name character there).
 */
export function shellPath(path: string): string {
  if (/^[A-Za-z]:[\\/]/.test(path) || /^\\\\[^\\]/.test(path)) return path.replace(/\\/g, '/');
  return path;
}

/** No profile: `--credentials ambient`, the machine's own credentials (CI, cloud), which needs an account pin. */
export function helperLine(profile: string | undefined, launcher: Launcher, options: { allowDefault?: boolean; account?: string | undefined } = {}): string {
  const args = profile === undefined ? ambientArgs(options.account) : profileArgs(profile, options.allowDefault === true);
  if (options.account !== undefined) {
    if (!/^\d{12}$/.test(options.account)) throw new UserError(`--account ${JSON.stringify(options.account.slice(0, 40))} is not an AWS account id (12 digits, like 123456789012)`);
    args.push('--account', options.account);
  }
  const command = [shellPath(launcher.node), shellPath(launcher.script), ...args].map(shellQuote).join(' ');
  // `"$@"` is the action git appended; `exec` leaves no shell waiting behind Node.
  return `!f() { test "$1" = get && exec ${command} "$@"; while read -r _; do :; done; }; f`;
}

function profileArgs(profile: string, allowDefault: boolean): string[] {
  checkProfileName(profile);
  // A name that starts with `-` would read as an option after a bare `--profile`.
  const args = profile.startsWith('-') ? [`--profile=${profile}`] : ['--profile', profile];
  return profile === DEFAULT_PROFILE && allowDefault ? [...args, '--allow-default'] : args;
}

function ambientArgs(account: string | undefined): string[] {
  if (account === undefined) throw new UserError('--ambient needs --account ID: ambient credentials could belong to any account, so the helper line must pin one');
  return ['--credentials', 'ambient'];
}

/** This Node and this package's entry, plus a note when the entry will not stay where it is. */
export function chooseLauncher(): { launcher: Launcher; note?: string } {
  const launcher: Launcher = { node: process.execPath, script: CC_HELPER_SCRIPT };
  if (/[\\/]_npx[\\/]/.test(CC_HELPER_SCRIPT)) {
    return { launcher, note: 'cc-helper runs from npx\'s cache, which can be cleaned at any time: install it (`npm install -g` with the package or tarball you gave npx: see the README, "Install") and run setup again' };
  }
  return { launcher };
}


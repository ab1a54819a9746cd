// The build's boundaries, declared where the code is: which module each bundle starts from, and
// which of our modules the hot bundle (dist/src/cli/cc-helper.cjs, what git starts for every
// request) may hold. scripts/bundle.ts reads this module, bundles from the entries, splits at
// HOT_ENTRIES, and stops if the hot bundle holds anything HOT_MEMBERS does not list (or misses
// something it lists); test/hot-bundle.test.ts checks the bundle it made. Paths are from src/.
//
// Imported by the build and the tests only, never by the CLI itself.

/** The process entry of cc-helper and git-credential-codecommit. */
export const CLI_ENTRY = 'cli/entry.ts';

/** The process entry of git-remote-codecommit: its own self-contained bundle. */
export const REMOTE_HELPER_ENTRY = 'codecommit-remote/entry.ts';

/**
 * The modules that are `import()`ed on the way of `get` and still belong in the hot bundle:
 * everything else that is `import()`ed goes to the cold bundle, loaded on first use.
 */
export const HOT_ENTRIES: readonly string[] = [
  // The git helper actions (get, store, erase): read the request, choose the profile, sign, answer.
  'cli/helper-command.ts',
  'git/read-request.ts',
  'helper/get.ts',
  'git/write-answer.ts',
  // Role and SSO profiles with a warm AWS CLI cache: signed without the cold file.
  'credential-sources/role-profile.ts',
  'credential-sources/sso-profile.ts',
  // `aws login` profiles with fresh cached credentials: the same.
  'credential-sources/login-profile.ts',
];

/**
 * Every module of ours that the hot bundle holds: the entries' static imports, closed. A module
 * added here makes every git request load it; a module that grows a static import of anything
 * else fails the build until it is behind `await import()` or listed here on purpose.
 */
export const HOT_MEMBERS: readonly string[] = [
  // cli: the entry, the dispatcher, the command table, argv, and the helper command
  'cli/entry.ts',
  'cli/main.ts',
  'cli/commands.ts',
  'cli/args.ts',
  'cli/helper-command.ts',
  // helper and git: `get` itself and git's credential protocol
  'helper/get.ts',
  'helper/credentials-for.ts',
  'git/credential-protocol.ts',
  'git/read-request.ts',
  'git/write-answer.ts',
  // credentials and the sources `get` may use warm: static keys, the role/SSO/login caches
  'credentials/profile-credentials.ts',
  'credential-sources/static-keys.ts',
  'credential-sources/cache-claim.ts',
  'credential-sources/role-profile.ts',
  'credential-sources/role-settings.ts',
  'credential-sources/sso-profile.ts',
  'credential-sources/sso-settings.ts',
  'credential-sources/login-profile.ts',
  'credential-sources/login-cache.ts',
  // account: the source's own proof (the pin itself is loaded only when it must ask)
  'account/account-evidence.ts',
  // aws-files: the shared files, the profile, the CLI cache's format
  'aws-files/shared-files.ts',
  'aws-files/shared-file-parser.ts',
  'aws-files/shared-file-reader.ts',
  'aws-files/section-search.ts',
  'aws-files/clean-file-memo.ts',
  'aws-files/profile.ts',
  'aws-files/profile-kind.ts',
  'aws-files/profile-choice.ts',
  'aws-files/cli-cache.ts',
  // codecommit and crypto: the host, the password (SigV4 with our own SHA-256), its lifetime
  'codecommit/host.ts',
  'codecommit/password.ts',
  'codecommit/renewal.ts',
  'crypto/sha256.ts',
  'crypto/sha256-block.ts',
  // support
  'support/atomic-file.ts',
  'support/bounded-file.ts',
  'support/credential-text.ts',
  'support/config-dir.ts',
  'support/errors.ts',
  'support/name-record.ts',
  'support/private-file.ts',
  'support/redact.ts',
  'support/shell-word.ts',
  'support/shell-words.ts',
  'support/trace.ts',
  'support/utc-time.ts',
  'support/warning.ts',
];

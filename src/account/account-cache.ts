// Which account an access key belongs to, remembered so that a pinned helper line asks STS once
// per key rather than on every push. An access key id is not a secret (it appears in CloudTrail
// and in every signed request); nothing else is stored: no secret, no token, no ARN.
//
// File: `accounts.json` in cc-helper's folder, `{ "version": 1, "accounts": { "<key id>": "<account>" } }`,
// replaced whole (temp file + rename). Two helpers writing at once can lose one entry: that costs
// one more STS call later, never a wrong answer, so no lock is taken on the push path.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { readBoundedText } from '../support/bounded-file.js';
import { writePrivateFileSync } from '../support/private-file.js';
import { ccHelperConfigDir } from '../support/config-dir.js';
import { nameRecord } from '../support/name-record.js';
import { warning } from '../support/warning.js';

/** Temporary keys (ASIA…) change with every session: keep the file from growing without end. */
const MAX_ENTRIES = 500;
/** 500 entries of about 50 bytes. */
const MAX_FILE_BYTES = 256 * 1024;

export function accountCacheFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(ccHelperConfigDir(env), 'accounts.json');
}

/** The remembered account of `accessKeyId`; a missing or unreadable file is an empty cache. */
export function cachedAccount(accessKeyId: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const account = readCache(env)[accessKeyId];
  return typeof account === 'string' && /^\d{12}$/.test(account) ? account : undefined;
}

export function rememberAccount(accessKeyId: string, account: string, env: NodeJS.ProcessEnv = process.env): void {
  const accounts = readCache(env);
  delete accounts[accessKeyId];
  accounts[accessKeyId] = account; // newest last
  const ids = Object.keys(accounts);
  for (const id of ids.slice(0, Math.max(0, ids.length - MAX_ENTRIES))) delete accounts[id];
  const file = accountCacheFile(env);
  mkdirSync(ccHelperConfigDir(env), { recursive: true, mode: 0o700 });
  writePrivateFileSync(file, JSON.stringify({ version: 1, accounts }, null, 2) + '\n');
}

function readCache(env: NodeJS.ProcessEnv): Record<string, string> {
  // Trusted like every cache: an entry someone else wrote would vouch for keys of any account.
  const file = accountCacheFile(env);
  const read = readBoundedText(file, { maxBytes: MAX_FILE_BYTES, trusted: { home: env.HOME } });
  if (read.status === 'refused') warning(`ignoring ${file}, which ${read.reason}: asking STS for the accounts instead`);
  if (read.status !== 'read') return nameRecord();
  try {
    const parsed = JSON.parse(read.text) as { version?: unknown; accounts?: unknown };
    if (parsed.version === 1 && typeof parsed.accounts === 'object' && parsed.accounts !== null && !Array.isArray(parsed.accounts)) {
      return nameRecord(parsed.accounts as Record<string, string>);
    }
  } catch {
    // absent or damaged: a cache, rebuilt as keys are seen
  }
  return nameRecord();
}

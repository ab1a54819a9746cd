// The vault holds the long-term secret behind a profile (an IAM user's access key) so that it
// never sits in plain text under ~/.aws. Every backend implements `Vault` with the item checks
// here; callers open one with `openVault` (open-vault.ts), the only module that loads a backend.
import { UserError } from '../support/errors.js';
import { mask } from '../support/trace.js';
import type { Trace } from '../support/trace.js';
import type { PassphraseSource } from './passphrase.js';
import { isAccessKeyId } from '../support/credential-text.js';

/** The secret part of an item. `createdAt` (ISO 8601) is when the key was created or added. */
export interface VaultItem {
  accessKeyId: string;
  secretAccessKey: string;
  createdAt: string;
}

/** What `list` shows: never a secret. */
export interface VaultListing {
  name: string;
  /** `****************ABCD` */
  accessKeyIdMasked: string;
  createdAt: string;
}

export interface Vault {
  /** For messages: the file path, or which OS keyring service. */
  readonly location: string;
  /** Sorted by name. Needs no passphrase. */
  list(): Promise<VaultListing[]>;
  get(name: string): Promise<VaultItem | undefined>;
  /** Adds or replaces the item. */
  put(name: string, item: VaultItem): Promise<void>;
  /** False when there was no such item. */
  remove(name: string): Promise<boolean>;
}

export type VaultKind = 'file' | 'keyring';

export interface OpenVaultOptions {
  env?: NodeJS.ProcessEnv;
  trace?: Trace;
  /** file: the vault file (else CC_HELPER_VAULT_FILE, else vault.json in cc-helper's folder, ~/.config/cc-helper). */
  file?: string;
  /** file: where the passphrase comes from (else CC_HELPER_VAULT_PASSPHRASE, askpass, terminal). */
  passphrase?: PassphraseSource;
  /** file: appended to "cannot ask for the passphrase" errors, e.g. what to run instead. */
  fallbackHint?: string;
  /** file: scrypt cost for what this instance writes, as log2(N); 15..17, default 16. */
  scryptLogN?: number;
  /** keyring: the service name (default `cc-helper`); tests use their own. The index lock file
   * lives in cc-helper's folder, found from `env`. */
  service?: string;
}

/** Item names are usually profile names: anything printable, one line, not too long. */
export function checkItemName(name: string): void {
  if (name.length === 0) throw new UserError('a vault item needs a name (usually the profile name)');
  if (name.length > 128) throw new UserError(`the vault item name "${name.slice(0, 32)}..." is longer than 128 characters`);
  // Profile names may hold a tab (profile-choice.ts), and item names are usually profile names.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/.test(name)) throw new UserError('a vault item name cannot contain line breaks or control characters (a tab is fine)');
}

/** Checks shape only; the messages never repeat the secret. */
export function checkItem(item: VaultItem): void {
  if (!isAccessKeyId(item.accessKeyId)) {
    throw new UserError('the access key id should be 16 or more capital letters and digits (like AKIA...)');
  }
  if (typeof item.secretAccessKey !== 'string' || item.secretAccessKey.length === 0 || /\s/.test(item.secretAccessKey)) {
    throw new UserError('the secret access key is empty or contains whitespace');
  }
  if (typeof item.createdAt !== 'string' || Number.isNaN(Date.parse(item.createdAt))) {
    throw new UserError('the item\'s createdAt is not an ISO 8601 date');
  }
}

export function listingOf(name: string, item: VaultItem): VaultListing {
  return { name, accessKeyIdMasked: mask(item.accessKeyId), createdAt: item.createdAt };
}

export function copyItem(item: VaultItem): VaultItem {
  return { accessKeyId: item.accessKeyId, secretAccessKey: item.secretAccessKey, createdAt: item.createdAt };
}

export function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

// The OS keyring as a vault: macOS Keychain, Windows Credential Manager, the Secret Service on
// Linux (gnome-keyring, KWallet, KeePassXC), through @napi-rs/keyring (keyring-rs; prebuilt
// binaries ship inside the registry packages). The OS guards the secrets: no passphrase here.
//
// Layout under the service (default `cc-helper`):
//   account `item:<name>`  JSON {accessKeyId, secretAccessKey, createdAt}
//   account `index`        JSON {version: 1, items: {<name>: {accessKeyIdMasked, createdAt}}}
// Keyrings cannot always enumerate their entries (Windows, and macOS only with a prompt per
// item), so `list` reads the index alone: no secret is read to list. The item entries are the
// truth for `get`; the index is rewritten under a lock file so parallel writers do not lose
// names.
//
// On Linux the entries are pinned to the Secret Service: keyring-rs would otherwise fall back to
// the kernel keyring, which forgets everything at logout or reboot, and a vault that silently
// forgets is worse than a clear error.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ccHelperConfigDir } from '../support/config-dir.js';
import { UserError } from '../support/errors.js';
import { withFileLock } from '../support/file-lock.js';
import { silentTrace, type Trace } from '../support/trace.js';
import {
  byName,
  checkItem,
  checkItemName,
  copyItem,
  listingOf,
  type OpenVaultOptions,
  type Vault,
  type VaultItem,
  type VaultListing,
} from './vault.js';

export const KEYRING_SERVICE = 'cc-helper';
const INDEX_ACCOUNT = 'index';
const LOCK = { timeoutMs: 15_000, staleMs: 60_000 };

/** The part of the binding's `AsyncEntry` this vault uses. */
export interface KeyringEntry {
  getPassword(): Promise<string | null | undefined>;
  setPassword(password: string): Promise<void>;
  deleteCredential(): Promise<boolean>;
}

export type KeyringEntryFactory = (service: string, account: string) => KeyringEntry;

export interface KeyringVaultOptions {
  service?: string;
  trace?: Trace;
  /** Serialises index updates; default `keyring-<service>.lock` in cc-helper's folder. */
  lockFile?: string;
  env?: NodeJS.ProcessEnv;
}

export async function openKeyringVault(options: Pick<OpenVaultOptions, 'env' | 'trace' | 'service'> = {}): Promise<KeyringVault> {
  return new KeyringVault(await loadNativeKeyring(), options);
}

/** Loads the native binding; a platform without a prebuilt binary gets a clear error. */
export async function loadNativeKeyring(): Promise<KeyringEntryFactory> {
  let binding: typeof import('@napi-rs/keyring');
  try {
    binding = await import('@napi-rs/keyring');
  } catch (error) {
    throw new UserError(`the OS keyring cannot be used here: its native binding did not load (${firstLine(error)}); use the file vault instead`);
  }
  const options = process.platform === 'linux' ? { linux: { store: 'secret-service' as const } } : undefined;
  return (service, account) => new binding.AsyncEntry(service, account, options);
}

interface IndexEntry {
  accessKeyIdMasked: string;
  createdAt: string;
}

export class KeyringVault implements Vault {
  readonly location: string;
  readonly #entry: KeyringEntryFactory;
  readonly #service: string;
  readonly #trace: Trace;
  readonly #lockFile: string;

  constructor(entry: KeyringEntryFactory, options: KeyringVaultOptions = {}) {
    this.#entry = entry;
    this.#service = options.service ?? KEYRING_SERVICE;
    this.#trace = options.trace ?? silentTrace;
    this.#lockFile = options.lockFile ?? join(ccHelperConfigDir(options.env ?? process.env), `keyring-${this.#service.replace(/[^A-Za-z0-9._-]/g, '_')}.lock`);
    this.location = `the OS keyring (service "${this.#service}")`;
  }

  async list(): Promise<VaultListing[]> {
    const index = await this.#readIndex();
    return Object.entries(index).map(([name, meta]) => ({ name, ...meta })).sort(byName);
  }

  async get(name: string): Promise<VaultItem | undefined> {
    const text = await this.#call(`read "${name}"`, () => this.#entry(this.#service, itemAccount(name)).getPassword());
    if (text === null || text === undefined) return undefined;
    let item: VaultItem;
    try {
      const data = JSON.parse(text) as Partial<VaultItem>;
      item = copyItem(data as VaultItem);
      checkItem(item);
    } catch {
      // Never quote the entry: it holds the secret.
      throw new UserError(`the keyring entry for "${name}" (service "${this.#service}") is damaged: remove it and add the key again`);
    }
    this.#trace(`read "${name}" from ${this.location}`);
    return item;
  }

  async put(name: string, item: VaultItem): Promise<void> {
    checkItemName(name);
    checkItem(item);
    const stored = copyItem(item);
    await this.#call(`store "${name}"`, () => this.#entry(this.#service, itemAccount(name)).setPassword(JSON.stringify(stored)), [stored.secretAccessKey]);
    await this.#updateIndex((index) => {
      const { accessKeyIdMasked, createdAt } = listingOf(name, stored);
      index[name] = { accessKeyIdMasked, createdAt };
    });
    this.#trace(`stored "${name}" in ${this.location}`);
  }

  async remove(name: string): Promise<boolean> {
    const deleted = await this.#call(`remove "${name}"`, () => this.#entry(this.#service, itemAccount(name)).deleteCredential());
    let listed = false;
    await this.#updateIndex((index) => {
      listed = Object.hasOwn(index, name);
      delete index[name];
    });
    return deleted || listed;
  }

  async #readIndex(): Promise<Record<string, IndexEntry>> {
    const text = await this.#call('read the index', () => this.#entry(this.#service, INDEX_ACCOUNT).getPassword());
    if (text === null || text === undefined) return Object.create(null) as Record<string, IndexEntry>;
    try {
      const data = JSON.parse(text) as { version?: unknown; items?: Record<string, IndexEntry> };
      if (data.version !== 1 || typeof data.items !== 'object' || data.items === null) throw new Error('shape');
      const index = Object.create(null) as Record<string, IndexEntry>; // item names from users: `__proto__` is a name
      for (const [name, meta] of Object.entries(data.items)) {
        if (typeof meta?.accessKeyIdMasked !== 'string' || typeof meta.createdAt !== 'string') throw new Error('shape');
        index[name] = { accessKeyIdMasked: meta.accessKeyIdMasked, createdAt: meta.createdAt };
      }
      return index;
    } catch {
      throw new UserError(`the keyring's index entry (service "${this.#service}", account "${INDEX_ACCOUNT}") is damaged: remove it and add the keys again`);
    }
  }

  async #updateIndex(change: (index: Record<string, IndexEntry>) => void): Promise<void> {
    await mkdir(join(this.#lockFile, '..'), { recursive: true, mode: 0o700 });
    await withFileLock(this.#lockFile, async () => {
      const index = await this.#readIndex();
      change(index);
      const sorted = Object.fromEntries(Object.entries(index).sort(([a], [b]) => byName({ name: a }, { name: b })));
      const entry = this.#entry(this.#service, INDEX_ACCOUNT);
      if (Object.keys(sorted).length === 0) await this.#call('update the index', () => entry.deleteCredential());
      else await this.#call('update the index', () => entry.setPassword(JSON.stringify({ version: 1, items: sorted })));
    }, LOCK);
  }

  /** Runs one keyring call; its failure becomes one line that says what to check. */
  async #call<T>(what: string, fn: () => Promise<T>, secrets: string[] = []): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      let reason = firstLine(error);
      for (const secret of secrets) reason = reason.split(secret).join('****');
      const advice = process.platform === 'linux'
        ? ': is a Secret Service (gnome-keyring, KeePassXC) running and unlocked in this session? Else use the file vault'
        : '';
      throw new UserError(`cannot ${what} in ${this.location}: ${reason}${advice}`);
    }
  }
}

function itemAccount(name: string): string {
  return `item:${name}`;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split('\n', 1)[0] ?? '').slice(0, 200);
}

// A vault in memory, for tests: same contract as the real backends (copies in
// and out, checked names and items), no files, no passphrase.
import { byName, checkItem, checkItemName, copyItem, listingOf, type Vault, type VaultItem, type VaultListing } from '../../src/vault/vault.js';

export class MemoryVault implements Vault {
  readonly location = 'memory';
  readonly #items = new Map<string, VaultItem>();

  constructor(initial: Record<string, VaultItem> = {}) {
    for (const [name, item] of Object.entries(initial)) {
      checkItemName(name);
      checkItem(item);
      this.#items.set(name, copyItem(item));
    }
  }

  async list(): Promise<VaultListing[]> {
    return [...this.#items].map(([name, item]) => listingOf(name, item)).sort(byName);
  }

  async get(name: string): Promise<VaultItem | undefined> {
    const item = this.#items.get(name);
    return item && copyItem(item);
  }

  async put(name: string, item: VaultItem): Promise<void> {
    checkItemName(name);
    checkItem(item);
    this.#items.set(name, copyItem(item));
  }

  async remove(name: string): Promise<boolean> {
    return this.#items.delete(name);
  }
}

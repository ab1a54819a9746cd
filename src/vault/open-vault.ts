// Opens the chosen vault backend, loading only that one: the keyring's native binding is not loaded
// when the file vault is used, and neither is loaded on the helper's static `get` path.
import { UserError } from '../support/errors.js';
import type { OpenVaultOptions, Vault, VaultKind } from './vault.js';

export async function openVault(kind: VaultKind, options: OpenVaultOptions = {}): Promise<Vault> {
  switch (kind) {
    case 'file': {
      const { EncryptedFileVault } = await import('./encrypted-file-vault.js');
      return new EncryptedFileVault(options);
    }
    case 'keyring': {
      const { openKeyringVault } = await import('./keyring-vault.js');
      return openKeyringVault(options);
    }
    default:
      throw new UserError(`unknown vault kind "${String(kind)}": use "file" or "keyring"`);
  }
}

export function isVaultKind(value: string): value is VaultKind {
  return value === 'file' || value === 'keyring';
}


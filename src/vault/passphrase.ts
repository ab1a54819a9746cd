// Where the file vault's passphrase comes from: CC_HELPER_VAULT_PASSPHRASE, else the askpass
// program, else the terminal with echo off (never the terminal when GIT_TERMINAL_PROMPT=0).
// A new vault's passphrase is asked twice when a person types it.
import { createAsk, type Ask } from '../prompt/ask.js';
import { UserError } from '../support/errors.js';

export const PASSPHRASE_ENV = 'CC_HELPER_VAULT_PASSPHRASE';

export interface Passphrase {
  value: string;
  /** Where it came from, for messages: `CC_HELPER_VAULT_PASSPHRASE` or `prompt`. */
  origin: string;
}

/** `unlock` an existing vault, or `create` a new one (asks twice when a person answers). */
export type PassphrasePurpose = 'unlock' | 'create';

export type PassphraseSource = (purpose: PassphrasePurpose, vault: string) => Promise<Passphrase>;

export interface PassphraseSourceOptions {
  env?: NodeJS.ProcessEnv;
  /** Appended to "cannot ask" errors after the standard advice. */
  fallbackHint?: string;
  /** Injected in tests; else the askpass program or the terminal, echo off. */
  ask?: Ask;
}

export function createPassphraseSource({ env = process.env, fallbackHint, ask }: PassphraseSourceOptions = {}): PassphraseSource {
  const hint = `set ${PASSPHRASE_ENV} or an askpass program (GIT_ASKPASS) to give the vault passphrase` + (fallbackHint ? `, or ${fallbackHint}` : '');
  const askPerson = ask ?? createAsk({ env, fallbackHint: hint, hidden: true });
  return async (purpose, vault) => {
    const fromEnv = env[PASSPHRASE_ENV];
    if (fromEnv) return { value: fromEnv, origin: PASSPHRASE_ENV };
    if (purpose === 'unlock') {
      const value = await askPerson(`Passphrase for cc-helper vault ${vault}: `);
      if (value === '') throw new UserError(`no passphrase given for vault ${vault}`);
      return { value, origin: 'prompt' };
    }
    const value = await askPerson(`New passphrase for cc-helper vault ${vault}: `);
    if (value === '') throw new UserError(`an empty passphrase is not allowed for vault ${vault}; nothing was written`);
    const again = await askPerson(`Repeat the new passphrase for ${vault}: `);
    if (again !== value) throw new UserError(`the two passphrases for new vault ${vault} differ; nothing was written`);
    return { value, origin: 'prompt' };
  };
}

/** A fixed passphrase, for tests and for callers that already hold one. */
export function fixedPassphrase(value: string, origin = 'caller'): PassphraseSource {
  return async () => ({ value, origin });
}

// Wires the activator to the real world: the chosen vault, STS over HTTPS, Leapp's CLI, and a
// person (askpass or /dev/tty) or an MFA command for codes. Imported only when a session must
// be activated, never on the path that signs with an active session.
import { execFileSync } from 'node:child_process';
import type { SigningCredentials } from '../codecommit/password.js';
import { createAsk } from '../prompt/ask.js';
import { createStsClient } from '../sts/sts-client.js';
import { UserError } from '../support/errors.js';
import type { Trace } from '../support/trace.js';
import { Leapp } from '../vault/leapp.js';
import { openVault } from '../vault/vault.js';
import { activateSession, type SessionDeps } from './activate.js';
import type { SessionDefinition } from './session-definitions.js';

export interface OnDemandContext {
  env: NodeJS.ProcessEnv;
  now: () => Date;
  trace: Trace;
}

export function realSessionDeps({ env, now, trace }: OnDemandContext): SessionDeps {
  return {
    env,
    now,
    trace,
    askMfaCode: async (serial, profile) => {
      const command = env.CC_HELPER_MFA_COMMAND;
      if (command) return runMfaCommand(command, serial, profile, env);
      const ask = createAsk({ env, fallbackHint: `run \`cc-helper session start ${profile}\` in a terminal first` });
      return ask(`MFA code for ${serial} (profile ${profile}): `);
    },
    vaultKey: async (definition) => {
      const { source } = definition;
      if (!('vault' in source)) throw new Error('vaultKey called for a definition without a vault');
      const vault = await openVault(source.vault, {
        env,
        trace,
        fallbackHint: `run \`cc-helper session start ${definition.profile}\` in a terminal`,
      });
      const item = await vault.get(source.item);
      if (!item) {
        throw new UserError(`the vault (${vault.location}) has no item "${source.item}" for profile "${definition.profile}": run \`cc-helper vault add ${definition.profile}\``);
      }
      return { accessKeyId: item.accessKeyId, secretAccessKey: item.secretAccessKey };
    },
    sts: (credentials, region) => createStsClient({ region, credentials, env, now, trace }),
    leapp: new Leapp({ env, trace }),
  };
}

export function activateOnDemand(definition: SessionDefinition, context: OnDemandContext, force = false): Promise<SigningCredentials> {
  return activateSession(definition, realSessionDeps(context), force);
}

/**
 * CC_HELPER_MFA_COMMAND: a shell command that prints the current code on its first line (a
 * YubiKey OATH reader such as `ykman oath accounts code -s "$CC_HELPER_MFA_SERIAL"`). It gets the
 * device and the profile in CC_HELPER_MFA_SERIAL and CC_HELPER_MFA_PROFILE, never as arguments,
 * so `echo 123456` is a valid command too.
 */
function runMfaCommand(command: string, serial: string, profile: string, env: NodeJS.ProcessEnv): string {
  try {
    const out = execFileSync('/bin/sh', ['-c', command], {
      env: { ...env, CC_HELPER_MFA_SERIAL: serial, CC_HELPER_MFA_PROFILE: profile },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
    return out.split(/\r?\n/, 1)[0]!.trim();
  } catch (error) {
    const status = (error as { status?: number }).status;
    throw new UserError(`the MFA command (CC_HELPER_MFA_COMMAND) failed${status === undefined ? '' : ` with exit status ${status}`}: run it by hand to see why`);
  }
}

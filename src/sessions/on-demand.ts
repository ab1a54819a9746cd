// Wires the activator to the real world: the chosen vault, STS over HTTPS, Leapp's CLI, and a
// person (askpass or /dev/tty) or an MFA command for codes. Imported only when a session must
// be activated, never on the path that signs with an active session.
import type { SigningCredentials } from '../codecommit/password.js';
import { askMfaCode } from '../prompt/mfa-code.js';
import { createStsClient } from '../aws-clients/sts-client.js';
import { UserError } from '../support/errors.js';
import type { Trace } from '../support/trace.js';
import { Leapp } from '../vault/leapp.js';
import { openVault } from '../vault/open-vault.js';
import { activateSession, type SessionDeps } from './activate.js';
import type { SessionDefinition } from './session-definitions.js';
import { profileArgument } from '../support/shell-word.js';

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
    askMfaCode: (serial, profile) => askMfaCode(serial, profile, env),
    vaultKey: async (definition) => {
      const { source } = definition;
      if (!('vault' in source)) throw new Error('vaultKey called for a definition without a vault');
      const vault = await openVault(source.vault, {
        env,
        trace,
        fallbackHint: `run \`cc-helper session start ${profileArgument(definition.profile)}\` in a terminal`,
      });
      const item = await vault.get(source.item);
      if (!item) {
        throw new UserError(`the vault (${vault.location}) has no item "${source.item}" for profile "${definition.profile}": run \`cc-helper vault add ${profileArgument(definition.profile)}\``);
      }
      return { accessKeyId: item.accessKeyId, secretAccessKey: item.secretAccessKey };
    },
    sts: (credentials, region, profile) => createStsClient({ region, credentials, env, profile, now, trace }),
    leapp: new Leapp({ env, trace }),
  };
}

export function activateOnDemand(definition: SessionDefinition, context: OnDemandContext, force = false): Promise<SigningCredentials> {
  return activateSession(definition, realSessionDeps(context), force);
}

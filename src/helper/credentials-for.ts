// The profile's credentials for `get`: what the shared files hold when it is good; otherwise,
// for a vault-backed profile, a session activated on demand. The session machinery is imported
// only when the files cannot answer, so an active session costs no more than static keys.
import { loadProfileCredentials, type LoadOptions } from '../credentials/profile-credentials.js';
import { needsRenewal } from '../codecommit/renewal.js';
import { UserError } from '../support/errors.js';
import type { ProfileCredentials } from '../credential-sources/resolved.js';

export async function credentialsFor(
  profile: string,
  options: Required<Pick<LoadOptions, 'env' | 'now' | 'trace'>> & { allowDefault: boolean },
): Promise<ProfileCredentials> {
  let loaded: ProfileCredentials | undefined;
  let failure: UserError | undefined;
  try {
    loaded = await loadProfileCredentials(profile, options);
    if (!needsRenewal(loaded.credentials, options.now)) return loaded;
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    failure = error;
  }
  const { findSessionDefinition } = await import('../sessions/session-definitions.js');
  const definition = findSessionDefinition(profile, options.env);
  if (!definition) {
    if (loaded) return loaded; // expiring soon, but nothing can renew it: still usable now
    throw failure!;
  }
  options.trace(`profile "${profile}" is vault-backed and has no fresh session: activating one`);
  const { activateOnDemand } = await import('../sessions/on-demand.js');
  const credentials = await activateOnDemand(definition, { env: options.env, now: () => options.now, trace: options.trace });
  return { credentials, source: 'vault session' };
}

// The environment for `git remote-https` when it stands in for git-remote-codecommit: the
// caller's, plus three config entries through git's config-by-environment
// (GIT_CONFIG_COUNT / GIT_CONFIG_KEY_<n> / GIT_CONFIG_VALUE_<n>, git >= 2.31,
// https://git-scm.com/docs/git-config#Documentation/git-config.txt-GITCONFIGCOUNT), appended
// after any the caller already has:
//   credential.https://<host>.helper =            (reset: no keychain or store sees the password)
//   credential.https://<host>.helper = <cc-helper --profile NAME>
//   credential.https://<host>.useHttpPath = true  (the signature covers the repository path)
// They hold a profile name and a command, never a secret: the password goes from cc-helper to
// git over the credential protocol's pipe, as with any helper. GRC instead put it into the URL on
// `git remote-http`'s command line, where `ps` shows it.
import { GrcUrlError } from './codecommit-url.js';

/** The caller's GIT_CONFIG_COUNT (0 when unset); a GrcUrlError when git would choke on it. */
export function givenConfigCount(env: NodeJS.ProcessEnv): number {
  const given = env.GIT_CONFIG_COUNT;
  if (given !== undefined && given !== '' && !/^\d{1,4}$/.test(given)) {
    throw new GrcUrlError(`GIT_CONFIG_COUNT=${JSON.stringify(given.slice(0, 20))} is not a number: fix or unset it`);
  }
  return given ? Number(given) : 0;
}

export function transportEnv(env: NodeJS.ProcessEnv, host: string, helper: string): NodeJS.ProcessEnv {
  const first = givenConfigCount(env);
  const section = `credential.https://${host}`;
  const entries: Array<[string, string]> = [
    [`${section}.helper`, ''],
    [`${section}.helper`, helper],
    [`${section}.useHttpPath`, 'true'],
  ];
  const out: NodeJS.ProcessEnv = { ...env, GIT_CONFIG_COUNT: String(first + entries.length) };
  entries.forEach(([key, value], i) => {
    out[`GIT_CONFIG_KEY_${first + i}`] = key;
    out[`GIT_CONFIG_VALUE_${first + i}`] = value;
  });
  return out;
}

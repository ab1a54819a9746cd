// Profiles that need more than static keys (role, SSO, credential_process, web identity) are
// resolved by the AWS SDK. This module is imported lazily: loading the SDK costs more than the
// whole static path.
//
// The SDK has its own INI parser (it cuts values at ` #`, ignores `[profile "x"]`, has no
// continuation lines, [DEFAULT] or `:`) and its own order of providers (static keys before
// web identity and credential_process; botocore the other way round). So the SDK never reads the
// shared files: cc-helper hands it the profiles of the chain as cc-helper parsed them, each cut
// down to the keys of the one provider botocore would pick, through the SDK's own file
// interceptor, and then checks that the SDK's parser reads back exactly those values. Where it
// would not (a value the SDK's parser cannot carry), cc-helper refuses rather than let the SDK
// sign with something else. Profile names never reach the SDK's parser: each profile of the chain
// is handed over under a plain alias (`cc-helper-0`, ...), source_profile links rewritten to
// match, so every name botocore accepts (`my profile`, `a #b`, `dév`) works here too; the SDK uses
// the name for nothing but finding the section (session names and caches do not depend on it).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { accountOfArn, type AccountEvidence } from '../account/account-evidence.js';
import type { SigningCredentials } from '../codecommit/password.js';
import { awsNetwork } from '../aws-transport/aws-network.js';
import { guardSdkRequests, ResponseTooLarge } from '../aws-transport/bounded-answer.js';
import { sdkRequestHandler, silenceSdkWarnings } from '../aws-transport/sdk-client.js';
import { createAsk } from '../prompt/ask.js';
import { classifyNetworkError } from '../aws-transport/query-error.js';
import { formatBytes } from '../support/bounded-file.js';
import { UserError } from '../support/errors.js';
import type { Trace } from '../support/trace.js';
import { emptyValues, type SectionValues } from '../aws-files/shared-file-parser.js';
import { DEFAULT_TIMEOUT_MS, MAX_RESPONSE_BYTES } from '../aws-transport/query-api.js';
import { sharedFilePaths } from '../aws-files/shared-files.js';
import { profileArgument, profileOption } from '../support/shell-word.js';
import { MAX_WEB_IDENTITY_TOKEN_BYTES, readTokenFile } from '../aws-files/token-file.js';
import { profileKind, type ProfileKind, type SdkKind } from '../aws-files/profile-kind.js';
import { readProfile, readSsoSession, type ProfileData } from '../aws-files/profile.js';
import { staticCredentials } from './static-keys.js';
import type { ProfileCredentials } from './resolved.js';

/** The SDK's clients make at most two attempts of DEFAULT_TIMEOUT_MS each; this bounds the rest. */
const SDK_DEADLINE_MS = 3 * DEFAULT_TIMEOUT_MS;

/** Keys each provider reads; a profile handed to the SDK keeps only its provider's (and these). */
const COMMON_KEYS = ['region', 'sts_regional_endpoints'];
const KEYS_OF: Record<SdkKind, string[]> = {
  role: ['role_arn', 'source_profile', 'credential_source', 'role_session_name', 'external_id', 'mfa_serial', 'duration_seconds'],
  'web identity': ['web_identity_token_file', 'role_arn', 'role_session_name'],
  sso: ['sso_session', 'sso_start_url', 'sso_region', 'sso_account_id', 'sso_role_name'],
  process: ['credential_process'],
};

/** What the SDK is handed: profiles by name (the credentials file) and sso-session sections (config). */
export interface SdkView {
  profiles: Map<string, SectionValues>;
  ssoSessions: Map<string, SectionValues>;
}

export async function loadWithSdk(
  name: string,
  kind: SdkKind,
  profile: ProfileData,
  { env, now, trace }: { env: NodeJS.ProcessEnv; now: Date; trace: Trace },
): Promise<ProfileCredentials> {
  const view = sdkView(name, kind, profile, env);
  silenceSdkWarnings();
  const { fromIni } = await import('@aws-sdk/credential-providers');
  // Proxy and CA bundle (src/aws-transport/aws-network.ts): the SDK's STS/SSO clients send through the
  // same fetch as cc-helper's own client, bounded alike (src/aws-transport/sdk-client.ts).
  const network = await awsNetwork({ env, profile: name, trace });
  const paths = await handToSdk(view, env);
  handTokensToSdk(view, env);
  const ask = createAsk({ env, fallbackHint: `get credentials for profile "${name}" another way (e.g. \`cc-helper session start ${profileArgument(name)}\`) and try again` });
  const started = Date.now();
  let resolved;
  let timer: NodeJS.Timeout | undefined;
  try {
    // Bounded twice: the SDK's own clients (STS, SSO) time out each request, and the whole
    // resolution (retries included) has a deadline, so git never waits on a silent endpoint.
    // A person typing an MFA code is not the network: the deadline starts again after the prompt.
    let arm = () => {};
    const overall = new Promise<never>((_, reject) => {
      arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          reject(new UserError(`cannot get credentials for profile "${name}" (${kind}): no answer within ${SDK_DEADLINE_MS / 1000} s; check your network`));
          // The SDK's request may still hold a socket open; git waits for this process to end,
          // so once the answer (quit=1) is out, nothing may keep it alive.
          setTimeout(() => process.exit(), 2_000).unref();
        }, SDK_DEADLINE_MS);
      };
      arm();
    });
    // Web identity reads parentClientConfig, the others clientConfig; a region given here also
    // keeps the SDK from warning on stderr that it picked us-east-1.
    const clientConfig = {
      region: env.AWS_REGION || env.AWS_DEFAULT_REGION || profile.values.region || 'us-east-1',
      requestHandler: await sdkRequestHandler(network),
      maxAttempts: 2,
    };
    // Its node:http requests (STS without a proxy, credential_source's metadata and container
    // providers) are bounded as cc-helper's own are (src/aws-transport/bounded-answer.ts).
    const guarded = guardSdkRequests({ maxBytes: MAX_RESPONSE_BYTES }, () =>
      fromIni({
        profile: paths.aliases.get(name)!,
        filepath: paths.credentialsFile,
        configFilepath: paths.configFile,
        ignoreCache: true,
        mfaCodeProvider: async (serial) => {
          clearTimeout(timer);
          try {
            return await ask(`MFA code for ${serial} (profile ${name}): `);
          } finally {
            arm();
          }
        },
        clientConfig,
        parentClientConfig: clientConfig,
      } as Parameters<typeof fromIni>[0])(),
    );
    resolved = await Promise.race([guarded, overall]);
  } catch (error) {
    throw explain(name, kind, error);
  } finally {
    clearTimeout(timer);
  }
  trace(`the SDK resolved profile "${name}" (${kind}) in ${Date.now() - started} ms`);
  const credentials: SigningCredentials = {
    accessKeyId: resolved.accessKeyId,
    secretAccessKey: resolved.secretAccessKey,
  };
  if (resolved.sessionToken) credentials.sessionToken = resolved.sessionToken;
  if (resolved.expiration) {
    if (resolved.expiration.getTime() <= now.getTime()) {
      throw new UserError(`the credentials the SDK returned for profile "${name}" expired at ${resolved.expiration.toISOString()}: refresh them and try again`);
    }
    credentials.expiration = resolved.expiration;
  }
  const result: ProfileCredentials = { credentials, source: kind };
  const account = sdkAccountEvidence(kind, resolved.accountId, view.profiles.get(name)!.role_arn);
  if (account) result.account = account;
  return result;
}

/**
 * What the SDK's answer proves about the account. For a role or web identity profile the SDK has
 * just called AssumeRole(WithWebIdentity) on the profile's role_arn, and these keys are STS's
 * answer: its AssumedRoleUser (the SDK's accountId), else the role it asked for. For a
 * credential_process the SDK's accountId is the process's own claim (or the profile's
 * aws_account_id setting): no proof.
 */
function sdkAccountEvidence(kind: SdkKind, accountId: string | undefined, roleArn: string | undefined): AccountEvidence | undefined {
  if (kind !== 'role' && kind !== 'web identity') return undefined;
  if (accountId !== undefined && /^\d{12}$/.test(accountId)) return { id: accountId, from: `STS's answer to the AWS SDK's assume-role call for ${roleArn ?? 'the profile'}, just now` };
  const fromRole = roleArn === undefined ? undefined : accountOfArn(roleArn);
  return fromRole ? { id: fromRole, from: `the role ${roleArn} the AWS SDK assumed just now` } : undefined;
}

/**
 * The profiles the SDK needs for `name`, as botocore reads them: the profile itself and, for a
 * role, each source_profile hop, each cut down to the keys of the provider botocore picks.
 */
export function sdkView(name: string, kind: SdkKind, profile: ProfileData, env: NodeJS.ProcessEnv): SdkView {
  const view: SdkView = { profiles: new Map(), ssoSessions: new Map() };
  let current = { name, kind: kind as ProfileKind, profile };
  for (;;) {
    view.profiles.set(current.name, cutDown(current.name, current.kind, current.profile));
    if (current.kind === 'sso') addSsoSession(view, current.profile.values.sso_session, current.profile.configFile, env);
    if (current.kind !== 'role') return view;
    const values = current.profile.values;
    const next = values.source_profile;
    if (next === undefined) return view; // credential_source: the SDK reads the environment
    if (next === current.name) {
      // botocore lets a role profile take its source keys from itself.
      const own = cutDown(next, sourceKind(next, current.profile), current.profile);
      view.profiles.set(next, { ...view.profiles.get(next), ...own });
      return view;
    }
    if (view.profiles.has(next)) {
      throw new UserError(`profile "${name}" has a source_profile loop through "${next}": fix source_profile (the AWS CLI refuses it too)`);
    }
    const nextProfile = readProfile(next, env);
    if (!nextProfile.inCredentialsFile && !nextProfile.inConfigFile) {
      throw new UserError(`the source_profile "${next}" of profile "${current.name}" does not exist: create it or fix source_profile`);
    }
    current = { name: next, kind: sourceKind(next, nextProfile), profile: nextProfile };
  }
}

/**
 * How botocore resolves a source profile: with static keys (even beside a role_arn) or no
 * role_arn, by the profile providers (web identity, SSO, credentials file, process, config);
 * otherwise by assuming its role in turn.
 */
function sourceKind(name: string, profile: ProfileData): ProfileKind {
  const v = profile.values;
  const hasStatic = 'aws_access_key_id' in v || 'aws_secret_access_key' in v;
  if (!hasStatic && 'role_arn' in v && !('web_identity_token_file' in v)) return profileKind(name, profile)!;
  const withoutRole: ProfileData = { ...profile, values: Object.assign(emptyValues(), v) };
  delete withoutRole.values.role_arn;
  const kind = profileKind(name, withoutRole);
  if (kind === undefined) throw new UserError(`the source profile "${name}" has no credentials: give it keys, or fix source_profile`);
  return kind;
}

function cutDown(name: string, kind: ProfileKind, profile: ProfileData): SectionValues {
  const out = emptyValues();
  const copy = (from: SectionValues | undefined, keys: string[]) => {
    for (const key of keys) if (from && key in from) out[key] = from[key]!;
  };
  // A region botocore would not use for these credentials must not stop them: only usable ones go.
  for (const key of COMMON_KEYS) if (key in profile.values && !/[\r\n\0]/.test(profile.values[key]!)) out[key] = profile.values[key]!;
  if (kind === 'credentials file' || kind === 'config file') {
    const section = (kind === 'credentials file' ? profile.credentialsSection : profile.configSection)!;
    const file = kind === 'credentials file' ? profile.credentialsFile : profile.configFile;
    // The same checks (partial, empty, line breaks) and the same token choice as the fast path.
    const credentials = staticCredentials(name, section, file, new Date(0));
    out.aws_access_key_id = credentials.accessKeyId;
    out.aws_secret_access_key = credentials.secretAccessKey;
    if (credentials.sessionToken !== undefined) out.aws_session_token = credentials.sessionToken;
    return out;
  }
  // cc-helper resolves `aws login` profiles itself (credential-sources/login-profile.ts); the SDK never sees one.
  if (kind === 'login') throw new UserError(`profile "${name}" is an \`aws login\` profile, which the AWS SDK path cannot take as a source here: use it through source_profile of a role_arn profile`);
  copy(profile.values, KEYS_OF[kind]);
  return out;
}

function addSsoSession(view: SdkView, session: string | undefined, configFile: string, env: NodeJS.ProcessEnv): void {
  if (session === undefined) return;
  const section = readSsoSession(session, configFile, env);
  if (!section) {
    throw new UserError(`the sso-session "${session}" is not in ${configFile}: add [sso-session ${session}] or fix sso_session`);
  }
  const values = emptyValues();
  for (const key of ['sso_start_url', 'sso_region', 'sso_registration_scopes']) if (key in section) values[key] = section[key]!;
  view.ssoSessions.set(session, values);
}

/** The SDK's file reader: the module fromIni and its providers require. */
interface SmithyConfig {
  externalDataInterceptor: { interceptFile(path: string, contents: string): void; interceptToken(id: string, contents: string): void };
  getHomeDir(): string;
  parseKnownFiles(init: { filepath?: string; configFilepath?: string; ignoreCache?: boolean }): Promise<Record<string, Record<string, string>>>;
  loadSsoSessionData(init: { configFilepath?: string }): Promise<Record<string, Record<string, string>>>;
}

function smithyConfig(): SmithyConfig {
  // Resolved from the SDK's own package, so this is the module instance its providers use.
  const fromHere = createRequire(import.meta.url);
  const providers = fromHere.resolve('@aws-sdk/credential-providers');
  const ini = createRequire(providers).resolve('@aws-sdk/credential-provider-ini');
  return createRequire(ini)('@smithy/core/config') as SmithyConfig;
}

/**
 * Puts the view in place of the shared files for the SDK (the paths cc-helper resolved, and the
 * paths the SDK resolves itself from the process environment, which its SSO provider uses), and
 * checks that the SDK's parser reads it back exactly.
 */
export async function handToSdk(view: SdkView, env: NodeJS.ProcessEnv): Promise<{ credentialsFile: string; configFile: string; aliases: Map<string, string> }> {
  const smithy = smithyConfig();
  const aliases = new Map([...view.profiles.keys()].map((name, i) => [name, `cc-helper-${i}`]));
  const handed = new Map<string, SectionValues>();
  for (const [name, values] of view.profiles) {
    const copy = Object.assign(emptyValues(), values);
    if (copy.source_profile !== undefined) copy.source_profile = aliases.get(copy.source_profile) ?? copy.source_profile;
    handed.set(aliases.get(name)!, copy);
  }
  const realName = new Map([...aliases].map(([name, alias]) => [alias, name]));
  const credentialsText = renderSections([...handed], (alias) => `profile "${realName.get(alias)}"`);
  const configText = renderSections([...view.ssoSessions].map(([name, values]) => [`sso-session ${name}`, values]), (section) => section.replace(/^sso-session (.*)$/s, 'sso-session "$1"'));
  const paths = sharedFilePaths(env);
  // The SSO provider ignores the paths fromIni is given and resolves its own from process.env.
  const everyPath = view.ssoSessions.size > 0 || [...view.profiles.values()].some((v) => 'sso_role_name' in v || 'sso_account_id' in v) ? [paths, sharedFilePaths(process.env)] : [paths];
  for (const p of everyPath) {
    smithy.externalDataInterceptor.interceptFile(p.credentialsFile, credentialsText);
    smithy.externalDataInterceptor.interceptFile(p.configFile, configText);
  }
  const refuse = (what: string) =>
    new UserError(`the AWS SDK, which cc-helper uses for role, SSO and process profiles, would read ${what} differently from the AWS CLI: rename it or change the value (no " #" or " ;" inside values)`);
  for (const p of everyPath) {
    const init = { filepath: p.credentialsFile, configFilepath: p.configFile };
    const read = await smithy.parseKnownFiles({ ...init, ignoreCache: true });
    for (const [alias, values] of handed) {
      if (!sameValues(read[alias], values)) throw refuse(`profile "${realName.get(alias)}"`);
    }
    const sessions = await smithy.loadSsoSessionData(init);
    for (const [name, values] of view.ssoSessions) {
      if (!sameValues(sessions[name], values)) throw refuse(`sso-session "${name}"`);
    }
  }
  return { ...paths, aliases };
}

/**
 * The shared files as the SDK would find them itself (for settings such as the metadata endpoint
 * and its STS client's options), shown to it empty: `--credentials ambient` never uses them, and
 * the SDK's reader has no size bound and blocks on a FIFO.
 */
export function hideSharedFilesFromSdk(): void {
  const smithy = smithyConfig();
  const home = smithy.getHomeDir();
  const own = (value: string | undefined, fallback: string) => (!value ? join(home, '.aws', fallback) : value.startsWith('~/') ? join(home, value.slice(2)) : value);
  const paths = sharedFilePaths(process.env);
  for (const path of [own(process.env.AWS_CONFIG_FILE, 'config'), own(process.env.AWS_SHARED_CREDENTIALS_FILE, 'credentials'), paths.configFile, paths.credentialsFile]) {
    smithy.externalDataInterceptor.interceptFile(path, '');
  }
}

/**
 * A web identity profile's token file, read here (src/aws-files/token-file.ts) and handed to the SDK
 * through its own token interceptor, which its fromTokenFile consults before reading the file.
 */
function handTokensToSdk(view: SdkView, env: NodeJS.ProcessEnv): void {
  const smithy = smithyConfig();
  for (const [name, values] of view.profiles) {
    const file = values.web_identity_token_file;
    if (file !== undefined) smithy.externalDataInterceptor.interceptToken(file, readTokenFile(file, `the web_identity_token_file of profile "${name}"`, MAX_WEB_IDENTITY_TOKEN_BYTES, env));
  }
}

function sameValues(read: Record<string, string> | undefined, expected: SectionValues): boolean {
  if (read === undefined) return false;
  const keys = Object.keys(expected);
  return Object.keys(read).length === keys.length && keys.every((key) => read[key] === expected[key]);
}

/**
 * `[name]` and `key = value` lines, the one layout every INI reader agrees on. Profiles come
 * under their aliases (handToSdk); sso-session names are the real ones (the SDK's token cache is
 * keyed by them), and one the SDK reads differently fails the read-back. `shown`: the section as
 * a message names it.
 */
function renderSections(sections: Array<[string, SectionValues]>, shown: (section: string) => string): string {
  let out = '';
  for (const [name, values] of sections) {
    if (/[\r\n]/.test(name)) throw new UserError(`cannot hand ${shown(name)} to the AWS SDK: its name holds a line break`);
    out += `[${name}]\n`;
    for (const key of Object.keys(values)) {
      const value = values[key]!;
      if (/[\r\n\0]/.test(value)) throw new UserError(`${shown(name)} has a line break inside ${key}: fix the file (an indented line continues the value above it)`);
      out += `${key} = ${value}\n`;
    }
  }
  return out;
}

/** SDK errors are long and multi-line; turn them into the one line that says what to run. */
function explain(name: string, kind: SdkKind, error: unknown): Error {
  if (error instanceof UserError) return error;
  if (error instanceof ResponseTooLarge) {
    return new UserError(`cannot get credentials for profile "${name}" (${kind}): an AWS endpoint answered with more than ${formatBytes(error.maxBytes)}, more than any credentials answer; nothing was used`);
  }
  const message = error instanceof Error ? error.message : String(error);
  const network = classifyNetworkError(error);
  if (network.tls) {
    return new UserError(
      `cannot get credentials for profile "${name}" (${kind}): the TLS certificate of an AWS endpoint cannot be verified (${network.code}); ` +
        'behind a TLS-inspecting proxy, point AWS_CA_BUNDLE, the profile\'s ca_bundle or NODE_EXTRA_CA_CERTS at its CA certificate (PEM)',
    );
  }
  if (kind === 'sso' || /sso/i.test(message)) {
    return new UserError(`profile "${name}" needs an SSO login: run \`aws sso login ${profileOption(name)}\` and try again`);
  }
  if (/mfa/i.test(message)) {
    return new UserError(`profile "${name}" needs an MFA code and none could be asked for: run \`cc-helper session start ${profileArgument(name)}\` in a terminal`);
  }
  const firstLine = message.split('\n', 1)[0]!.slice(0, 200);
  return new UserError(`cannot get credentials for profile "${name}" (${kind}): ${firstLine}`);
}

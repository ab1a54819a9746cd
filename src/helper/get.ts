// `get`: the helper's hot path, a straight line through small modules:
// parse -> recognise host -> choose profile -> load credentials -> sign -> answer.
import { chooseProfile } from '../aws-files/profile-choice.js';
import { recogniseCodeCommitHost } from '../codecommit/host.js';
import { computeCodeCommitPassword, type SigningCredentials } from '../codecommit/password.js';
import { formatCredentialAnswer, parseCredentialRequest, ProtocolError, QUIT_ANSWER, type CredentialRequest } from '../git/credential-protocol.js';
import { UserError } from '../support/errors.js';
import { mask, type Trace } from '../support/trace.js';
import { isoSeconds } from '../support/utc-time.js';
import { provesAccount } from '../account/account-evidence.js';
import { credentialsFor } from './credentials-for.js';

export interface GetOptions {
  /** git's request, best as the bytes git sent (a string is taken as already decoded). */
  input: string | Uint8Array;
  profileFlag?: string;
  allowDefault: boolean;
  /** `--account`: refuse to sign unless the credentials belong to this account. */
  account?: string;
  /** `--credentials`: `profile` (the default) or `ambient` (CI and cloud workloads; needs --account). */
  credentials?: string;
  env: NodeJS.ProcessEnv;
  now: () => Date;
  trace: Trace;
  /** Where human messages go (stderr); stdout gets only the returned protocol answer. */
  warn: (line: string) => void;
}

/** Returns what to print on stdout: a credential, `quit=1`, or nothing at all. */
export async function answerGet(options: GetOptions): Promise<string> {
  const { trace, warn } = options;
  let request;
  try {
    request = parseCredentialRequest(options.input);
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    warn(`ignoring a malformed credential request: ${error.message}`);
    return '';
  }
  // A host that is not UTF-8 is no CodeCommit host: left undefined, it gets no answer below.
  const host = request.host === undefined ? undefined : recogniseCodeCommitHost(request.host);
  if (!host) {
    trace(`not a CodeCommit host (${JSON.stringify(request.host ?? null)}): no answer, git asks its other helpers`);
    return '';
  }
  trace(`host ${host.hostname} (${host.kind}${host.china ? ', China' : ''}), region ${host.region}`);
  if (request.protocol !== 'https') {
    warn(`not signing for ${request.protocol ?? '(no protocol)'}://${request.host}: CodeCommit takes only https:// URLs; change the remote URL`);
    return '';
  }
  try {
    checkSignablePath(request, host.hostname);
    if (request.path === undefined || request.path === '') {
      throw new UserError(
        `git sent no repository path for ${host.hostname}, and CodeCommit signatures cover it: ` +
          'run `git config --global credential.https://' + host.hostname + '.useHttpPath true` (or `cc-helper setup`)',
      );
    }
    const now = options.now();
    const credentials = options.credentials !== undefined && options.credentials !== 'profile'
      ? await ambientCredentialsFor(options, host.region, now)
      : await profileCredentialsFor(options, now);
    const signed = await computeCodeCommitPassword({
      credentials,
      hostname: host.hostname,
      region: host.region,
      path: request.path,
      signingDate: now,
    });
    trace(`canonical request:\n${signed.canonicalRequest}`);
    trace(`string to sign:\n${signed.stringToSign}`);
    trace(`password valid until ${isoSeconds(new Date(signed.expiresAt * 1000))}`);
    return formatCredentialAnswer({ username: signed.username, password: signed.password, passwordExpiryUtc: signed.expiresAt });
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    // A CodeCommit host we cannot answer: say why once, and stop git from prompting for a
    // username/password that could never work.
    warn(error.message);
    return QUIT_ANSWER;
  }
}

/**
 * Paths the AWS CLI would not sign as given. It splits `<protocol>://<host>/<path>` with urlsplit,
 * so everything from a `?` or `#` on is left out of the signature and `demo?x` would share
 * `demo`'s password; no CodeCommit repository name holds either. A path that is not UTF-8 makes
 * the CLI fail, and decoding it lossily would let two paths share one password.
 */
function checkSignablePath(request: CredentialRequest, hostname: string): void {
  if (request.notUtf8?.length) {
    throw new UserError(
      `git sent a ${request.notUtf8.join(' and ')} for ${hostname} that is not UTF-8: not signing it; ` +
        'CodeCommit repository names are letters, digits, . _ and -: check the remote URL',
    );
  }
  if (request.path !== undefined && /[?#]/.test(request.path)) {
    throw new UserError(
      `the repository path for ${hostname} holds a ? or #, which no CodeCommit repository name does and the AWS CLI ` +
        'would leave out of the signature: not signing it; check the remote URL',
    );
  }
}

async function profileCredentialsFor(options: GetOptions, now: Date): Promise<SigningCredentials> {
  const { trace, env } = options;
  const profile = chooseProfile({ flag: options.profileFlag, env, allowDefault: options.allowDefault });
  trace(`profile "${profile.name}" (from ${profile.reason})`);
  const { credentials, source, account } = await credentialsFor(profile.name, { env, now, trace, allowDefault: options.allowDefault });
  traceCredentials(trace, source, credentials);
  if (options.account !== undefined && provesAccount(account, options.account)) {
    trace(`profile "${profile.name}": account ${account.id} (from ${account.from}); pinned to ${options.account}`);
  } else if (options.account !== undefined) {
    const [{ checkAccountPin }, { readProfile }] = await Promise.all([import('../account/account-pin.js'), import('../aws-files/profile.js')]);
    // GetCallerIdentity, when it comes to that, is signed for the region the AWS CLI would use.
    const region = () => env.AWS_REGION || env.AWS_DEFAULT_REGION || readProfile(profile.name, env).values.region || 'us-east-1';
    await checkAccountPin({ who: `profile "${profile.name}"`, credentials, account, region }, options.account, { env, now, trace });
  }
  return credentials;
}

/** `--credentials ambient`: the machine's own credentials, never the shared files, only with a pin. */
async function ambientCredentialsFor(options: GetOptions, region: string, now: Date): Promise<SigningCredentials> {
  const { trace, env } = options;
  if (options.credentials !== 'ambient') {
    throw new UserError(`--credentials ${JSON.stringify(options.credentials!.slice(0, 40))} is not a credential mode: use --credentials ambient (CI and cloud workloads) or leave it out (a named profile)`);
  }
  if (options.profileFlag !== undefined || options.allowDefault) {
    throw new UserError(`--credentials ambient takes no ${options.profileFlag !== undefined ? '--profile' : '--allow-default'}: it never reads the shared files; fix the helper line (cc-helper setup --ambient --account ID)`);
  }
  if (options.account === undefined) {
    throw new UserError('refusing --credentials ambient without --account ID: ambient credentials could belong to any account, so the helper line must pin one (cc-helper setup --ambient --account ID)');
  }
  const [{ loadAmbientCredentials }, { checkAccountId, checkAccountPin }] = await Promise.all([
    import('../credential-sources/ambient-credentials.js'),
    import('../account/account-pin.js'),
  ]);
  checkAccountId(options.account);
  const { credentials, source, account } = await loadAmbientCredentials({ env, now, region, trace });
  traceCredentials(trace, `${source.kind} (${source.detail})`, credentials);
  await checkAccountPin(
    { who: `the ambient credentials (${source.kind})`, plural: true, credentials, account, region: env.AWS_REGION || env.AWS_DEFAULT_REGION || region },
    options.account,
    { env, now, trace },
    'give the job credentials for that account, or fix the pin',
  );
  return credentials;
}

function traceCredentials(trace: Trace, source: string, credentials: SigningCredentials): void {
  trace(
    `credentials from ${source}: key ${mask(credentials.accessKeyId)}` +
      `${credentials.sessionToken ? ' with a session token' : ''}` +
      `${credentials.expiration ? `, expiring ${isoSeconds(credentials.expiration)}` : ''}`,
  );
}

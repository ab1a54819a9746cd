// How cc-helper's AWS calls (its own STS/IAM client and the SDK's) cross a corporate network:
// the proxy from HTTPS_PROXY / https_proxy (HTTP_PROXY for want of one), skipped for hosts in
// NO_PROXY (names, `.suffix` / `suffix` domains, `*`), and the CA bundle that replaces Node's
// trust store for a TLS-inspecting proxy: AWS_CA_BUNDLE, else the profile's `ca_bundle` (the
// AWS CLI's order). NODE_EXTRA_CA_CERTS needs nothing here: Node adds it to its own store.
//
// The proxy agent is undici's EnvHttpProxyAgent (the library behind Node's fetch), loaded only
// when one of these settings is present: the static-key hot path never gets here, and a
// machine without them pays nothing. A proxy setting without a scheme (`user:pw@host:3128`, as
// many corporate scripts set it) is an http:// proxy, as curl (hence git) and botocore read it;
// a scheme other than http or https is refused in one line. Settings are shown only redacted.
import { homedir } from 'node:os';
import { formatBytes, readBoundedText } from '../support/bounded-file.js';
import { UserError } from '../support/errors.js';
import { redactUrl } from '../support/redact.js';
import type { Trace } from '../support/trace.js';
import type { Dispatcher } from 'undici';
import { readProfile } from '../aws-files/profile.js';

export interface AwsNetwork {
  /** For fetch (Node's own accepts it): undefined when no proxy or CA bundle is configured. */
  dispatcher?: Dispatcher;
  /** The CA bundle in use (PEM) and the setting it came from. */
  ca?: { pem: string; source: string };
  /** fetch through `dispatcher` (the global fetch itself when there is none). */
  fetch: typeof fetch;
}

/** The transport for AWS calls from this environment, for `profile` (its `ca_bundle`). */
export async function awsNetwork(options: { env: NodeJS.ProcessEnv; profile?: string | undefined; trace?: Trace }): Promise<AwsNetwork> {
  const { env } = options;
  const ca = caBundle(env, options.profile);
  const httpsProxy = proxyUrl(env, 'https_proxy', 'HTTPS_PROXY');
  const httpProxy = proxyUrl(env, 'http_proxy', 'HTTP_PROXY');
  if (!ca && !httpsProxy && !httpProxy) return { fetch: globalThis.fetch };
  const noProxy = curlStyleNoProxy(env.no_proxy ?? env.NO_PROXY ?? '');
  options.trace?.(
    `network: ${httpsProxy || httpProxy ? `proxy ${redactUrl(httpsProxy || httpProxy)}${noProxy ? ` except NO_PROXY=${noProxy}` : ''}` : 'no proxy'}` +
      `${ca ? `, CA bundle from ${ca.source}` : ''}`,
  );
  const { EnvHttpProxyAgent } = await import('undici');
  const tls = ca ? { ca: ca.pem } : {};
  // `connect` is the TLS of a direct connection, `requestTls` that of the tunnel through the proxy
  // (EnvHttpProxyAgent hands its options to both its Agent and its ProxyAgent; the type omits it).
  const agentOptions = { httpProxy, httpsProxy, noProxy, connect: tls, requestTls: tls };
  const dispatcher = quietly('UNDICI-EHPA', () => new EnvHttpProxyAgent(agentOptions as ConstructorParameters<typeof EnvHttpProxyAgent>[0]));
  const network: AwsNetwork = {
    dispatcher,
    // Node's fetch takes undici's dispatcher (RequestInit has no such member in the DOM types).
    fetch: ((input: Parameters<typeof fetch>[0], init?: RequestInit) => globalThis.fetch(input, { ...init, dispatcher } as RequestInit)) as typeof fetch,
  };
  if (ca) network.ca = ca;
  return network;
}

/**
 * The proxy URL from the lower-case variable, else the upper-case one ('' for none): without a
 * scheme it is http:// (curl, botocore's _fix_proxy_url), `//host` too; only http and https
 * proxies can carry AWS calls here, and anything that is no URL is refused, never echoed whole.
 */
export function proxyUrl(env: NodeJS.ProcessEnv, lower: string, upper: string): string {
  const variable = env[lower] !== undefined ? lower : upper;
  const value = (env[variable] ?? '').trim();
  if (value === '') return '';
  const url = value.startsWith('//') ? `http:${value}` : /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(value) ? value : `http://${value}`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UserError(`${variable} is not a proxy URL (${redactUrl(value).slice(0, 100)}): set it to http://host:port (a user and password in it are percent-encoded)`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UserError(`${variable} names a ${parsed.protocol.slice(0, -1)}:// proxy, which cc-helper cannot send AWS calls through: set an http:// or https:// proxy`);
  }
  if (parsed.hostname === '') throw new UserError(`${variable} names no proxy host (${redactUrl(value).slice(0, 100)}): set it to http://host:port`);
  return url;
}

/**
 * NO_PROXY as curl, git and the AWS CLI read it: `example.com` is that host and every host under
 * it, `.example.com` and `*.example.com` the hosts under it, `*` alone every host. undici matches
 * a bare name exactly, so each bare name is passed in both forms.
 */
export function curlStyleNoProxy(value: string): string {
  const entries = value.split(/[,\s]+/).filter(Boolean);
  if (entries.length === 1 && entries[0] === '*') return '*';
  return entries.flatMap((entry) => (/^[.*]/.test(entry) ? [entry] : [entry, `.${entry}`])).join(',');
}

/** The system's whole trust store is about 200 KB; a corporate bundle a few certificates more. */
const MAX_CA_BUNDLE_BYTES = 8 * 1024 * 1024;

/** AWS_CA_BUNDLE, else the profile's ca_bundle (a leading ~/ is the home directory). */
function caBundle(env: NodeJS.ProcessEnv, profile: string | undefined): { pem: string; source: string } | undefined {
  let file = env.AWS_CA_BUNDLE;
  let source = 'AWS_CA_BUNDLE';
  if (!file && profile !== undefined) {
    file = readProfile(profile, env).values.ca_bundle;
    source = `ca_bundle of profile "${profile}"`;
  }
  if (!file) return undefined;
  if (file.startsWith('~/')) file = `${env.HOME || homedir()}${file.slice(1)}`;
  // Bounded (a FIFO or /dev/zero here hung or filled the get), not trusted: certificates are public.
  const read = readBoundedText(file, { maxBytes: MAX_CA_BUNDLE_BYTES });
  if (read.status !== 'read') {
    const why = read.status === 'missing' ? 'does not exist' : read.reason;
    const fix = read.status === 'refused' && read.kind === 'too-large' ? `a CA bundle is at most ${formatBytes(MAX_CA_BUNDLE_BYTES)}` : 'fix the path or unset it';
    throw new UserError(`cannot use the CA bundle ${file} (${source}): it ${why}; ${fix}`);
  }
  const pem = read.text;
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new UserError(`the CA bundle ${file} (${source}) holds no PEM certificate (-----BEGIN CERTIFICATE-----): export the proxy's CA as PEM`);
  }
  return { pem, source: `${source} (${file})` };
}

/** Runs `make` without letting it print the one process warning with `code` (stderr reaches git's user). */
function quietly<T>(code: string, make: () => T): T {
  const emit = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const options = rest[0] as { code?: string } | undefined;
    if (typeof options === 'object' && options?.code === code) return;
    (emit as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return make();
  } finally {
    process.emitWarning = emit;
  }
}

// Where each AWS service cc-helper calls is: the standard endpoint settings first (as the AWS SDKs
// and CLI v2 read them: AWS_ENDPOINT_URL_<SERVICE>, unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS),
// else the service's regional endpoint (STS, the SSO portal) or the SDK's endpoint rules (SSO OIDC
// and sign-in, whose nested clients resolve it themselves when this returns undefined).
// STS: regional, never the legacy global `sts.amazonaws.com`: it is the SDKs' default since 2023
// and keeps working when us-east-1 has trouble.
import { UserError } from '../support/errors.js';
import { redactUrl } from '../support/redact.js';

export interface StsEndpoint {
  /** Origin and path to POST to, e.g. `https://sts.eu-west-1.amazonaws.com/`. */
  url: string;
  /** Where the URL came from, for messages. */
  source: 'AWS_ENDPOINT_URL_STS' | 'AWS_ENDPOINT_URL' | 'region';
}

export function stsEndpoint(region: string, env: NodeJS.ProcessEnv = process.env): StsEndpoint {
  const ignoreConfigured = (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS ?? '').toLowerCase() === 'true';
  if (!ignoreConfigured) {
    for (const name of ['AWS_ENDPOINT_URL_STS', 'AWS_ENDPOINT_URL'] as const) {
      const value = env[name];
      if (value) return { url: checkedEndpointUrl(value, name), source: name };
    }
  }
  // Any label-shaped name: new regions appear, so there is no fixed list.
  if (!/^[a-z0-9]+(?:-[a-z0-9]+)+$/.test(region)) {
    throw new UserError(`"${region}" is not an AWS region name (like us-east-1): set region in the profile or AWS_REGION`);
  }
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return { url: `https://sts.${region}.${suffix}/`, source: 'region' };
}

/** An http(s) URL without query, fragment or user info: those would not be signed or shown. */
export function checkedEndpointUrl(value: string, name: string, example = 'https://sts.us-east-1.amazonaws.com'): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UserError(`${name} is not a URL (${JSON.stringify(redactUrl(value).slice(0, 80))}): expected e.g. ${example}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UserError(`${name} must be an http:// or https:// URL, not ${url.protocol}`);
  }
  if (url.username || url.password) throw new UserError(`${name} must not carry a user name or password`);
  return `${url.origin}${url.pathname || '/'}`;
}

/** The IAM Identity Center portal (GetRoleCredentials): AWS_ENDPOINT_URL_SSO, else the sso_region's portal. */
export function portalEndpoint(region: string, env: NodeJS.ProcessEnv): string {
  const configured = (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS ?? '').toLowerCase() === 'true' ? undefined : env.AWS_ENDPOINT_URL_SSO;
  if (configured) return checkedEndpointUrl(configured, 'AWS_ENDPOINT_URL_SSO', 'https://portal.sso.us-east-1.amazonaws.com');
  if (!/^[a-z0-9]+(?:-[a-z0-9]+)+$/.test(region)) throw new UserError(`"${region.slice(0, 40)}" is not an AWS region name: fix sso_region`);
  return `https://portal.sso.${region}.${region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'}/`;
}

/** SSO OIDC's endpoint (CreateToken): AWS_ENDPOINT_URL_SSO_OIDC (as the portal's AWS_ENDPOINT_URL_SSO), else the SDK's rules for the region. */
export function oidcEndpoint(env: NodeJS.ProcessEnv): string | undefined {
  const configured = (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS ?? '').toLowerCase() === 'true' ? undefined : env.AWS_ENDPOINT_URL_SSO_OIDC;
  return configured ? checkedEndpointUrl(configured, 'AWS_ENDPOINT_URL_SSO_OIDC', 'https://oidc.us-east-1.amazonaws.com') : undefined;
}

/** The sign-in service (CreateOAuth2Token): AWS_ENDPOINT_URL_SIGNIN, else undefined (the SDK's endpoint rules). */
export function signInEndpoint(env: NodeJS.ProcessEnv): string | undefined {
  const configured = (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS ?? '').toLowerCase() === 'true' ? undefined : env.AWS_ENDPOINT_URL_SIGNIN;
  return configured ? checkedEndpointUrl(configured, 'AWS_ENDPOINT_URL_SIGNIN', 'https://us-east-1.signin.aws.amazon.com') : undefined;
}

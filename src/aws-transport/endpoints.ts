// Where STS is: the standard endpoint settings first (as the AWS SDKs and CLI v2 read them), else
// the regional endpoint. Regional, never the legacy global `sts.amazonaws.com`: it is the SDKs'
// default since 2023 and keeps working when us-east-1 has trouble.
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

// A parsed codecommit URL -> the https URL git talks to and the profile that signs for it.
//
// GRC's rules (Context.from_url and git_url), with cc-helper's profile rules on top:
// - profile: the URL's, else AWS_PROFILE (GRC would fall back to [default]; cc-helper never
//   does: [default] may be a canary);
// - the profile must exist in the AWS files (GRC: ProfileNotFound);
// - region: the URL's; for `codecommit://` the environment's AWS_DEFAULT_REGION, else the
//   profile's `region` (botocore's order; GRC: RegionNotFound / RegionNotAvailable);
// - host: `git-codecommit.<region>.amazonaws.com[.cn]`, or CODE_COMMIT_ENDPOINT when set, which is
//   how GRC users reach FIPS and VPC endpoints (GRC has no other endpoint rule). cc-helper signs
//   only for real CodeCommit hosts, so the override must be one, in the same region.
import { checkProfileName, DEFAULT_PROFILE } from '../aws-files/profile-choice.js';
import { recogniseCodeCommitHost } from '../codecommit/host.js';
import { profileOption } from '../support/shell-word.js';
import { checkRegion, codeCommitHostname, GrcUrlError, type GrcUrl } from './codecommit-url.js';
import { readProfile } from '../aws-files/profile.js';

export interface GrcTarget {
  profile: string;
  region: string;
  /** Host (and `:port` if CODE_COMMIT_ENDPOINT has one) of the https URL. */
  host: string;
  /** `https://<host>/v1/repos/<repository>`: what git fetches from and pushes to. */
  httpsUrl: string;
}

export function resolveGrcTarget(url: GrcUrl, env: NodeJS.ProcessEnv): GrcTarget {
  const profile = url.profile ?? env.AWS_PROFILE;
  if (!profile) {
    throw new GrcUrlError(
      'this codecommit URL names no profile and AWS_PROFILE is not set: write the profile into the URL ' +
        `(codecommit::<region>://<profile>@${url.repository}); cc-helper never falls back to [default]`,
    );
  }
  if (profile === DEFAULT_PROFILE) {
    throw new GrcUrlError(
      'refusing to sign with the "default" profile: it may be a canary; name a dedicated profile in the URL ' +
        `(codecommit::<region>://<profile>@${url.repository})`,
    );
  }
  if (url.profile === undefined) checkProfileName(profile);
  const data = readProfile(profile, env);
  if (!data.inCredentialsFile && !data.inConfigFile) {
    throw new GrcUrlError(
      `the profile "${profile}" is in neither ${data.credentialsFile} nor ${data.configFile}: ` +
        `create it (aws configure ${profileOption(profile)}) or name another profile in the URL`,
    );
  }
  let region = url.region;
  if (region === undefined) {
    const configured = env.AWS_DEFAULT_REGION || data.values.region;
    if (!configured) {
      throw new GrcUrlError(
        `the profile "${profile}" has no region and AWS_DEFAULT_REGION is not set: add region = ... to the profile, ` +
          `or put the region into the URL (codecommit::<region>://${profile}@${url.repository})`,
      );
    }
    region = checkRegion(configured.trim());
  }
  const host = endpointHost(region, env);
  return { profile, region, host, httpsUrl: `https://${host}/v1/repos/${url.repository}` };
}

function endpointHost(region: string, env: NodeJS.ProcessEnv): string {
  const override = env.CODE_COMMIT_ENDPOINT;
  if (!override) return codeCommitHostname(region);
  const recognised = recogniseCodeCommitHost(override);
  if (!recognised || !/^[A-Za-z0-9.:-]+$/.test(override)) {
    throw new GrcUrlError(
      `CODE_COMMIT_ENDPOINT=${JSON.stringify(override.slice(0, 80))} is not a CodeCommit git endpoint ` +
        '(git-codecommit[-fips].<region>.amazonaws.com[.cn] or a vpce-... VPC endpoint): fix or unset it',
    );
  }
  if (recognised.region !== region) {
    throw new GrcUrlError(`CODE_COMMIT_ENDPOINT=${override} is in ${recognised.region}, but the URL's region is ${region}: make them agree`);
  }
  return override.toLowerCase();
}

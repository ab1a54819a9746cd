// git-remote-codecommit's URL forms, read the way GRC reads them
// (aws/git-remote-codecommit, git_remote_codecommit/__init__.py, Context.from_url):
//   codecommit://[profile@]repo            git hands the helper the whole URL
//   codecommit::<region>://[profile@]repo  git strips `codecommit::` and hands over `<region>://...`
// GRC runs Python's urlparse: the scheme is lower-cased, the "netloc" is `[profile@]repo`, the
// profile is what comes before the first `@`. A scheme of `codecommit` takes the region from the
// environment or the profile; a scheme that looks like a region (`^[a-z]{2}-\w*.*-\d{1}`) is the
// region; anything else is malformed.
//
// GRC takes the profile as urlparse leaves it: no %-decoding, so any text without `/ ? # @`
// (`codecommit://my profile@repo` is the profile "my profile", `my%20profile` is just that),
// spaces and non-ASCII letters included; cc-helper takes the same names. Where GRC is lax, this
// is strict, because the parts end up in a URL, on a helper line and in git config: control
// characters (urlparse would silently drop a tab or line break), a path, query or fragment
// after the repository, a repository name CodeCommit would not accept (`..`, `a/b`), brackets
// (urlparse fails on them), and a profile holding `:` (it reads as `user:password@`, and is
// never echoed) are refused with one line instead of being passed on.
import { checkProfileName } from '../aws-files/profile-choice.js';
import { UserError } from '../support/errors.js';
import { redactUrl } from '../support/redact.js';

export interface GrcUrl {
  /** The profile before `@`, when the URL names one. */
  profile?: string;
  /** The region the URL names (`codecommit::<region>://`); undefined for `codecommit://`. */
  region?: string;
  repository: string;
}

const FORMS = 'codecommit://<profile>@<repository> or codecommit::<region>://<profile>@<repository>';
/** GRC's test for "this scheme is a region" (re.match: anchored at the start only). */
const GRC_REGION_LIKE = /^[a-z]{2}-\w*.*-\d{1}/;
/** CodeCommit's repository name rule (CreateRepository: `[\w\.-]+`, 1 to 100 characters). */
const REPOSITORY = /^[A-Za-z0-9_.-]{1,100}$/;

export class GrcUrlError extends UserError {
  override name = 'GrcUrlError';
}

/** Parses what git hands git-remote-codecommit as its second argument. */
export function parseGrcUrl(url: string): GrcUrl {
  const shown = JSON.stringify(redactUrl(url).slice(0, 100));
  // eslint-disable-next-line no-control-regex
  if (/[\0-\x1f\x7f-\x9f\u2028\u2029]/.test(url)) {
    throw new GrcUrlError(`the URL ${shown} holds control characters: a codecommit URL is ${FORMS}`);
  }
  // urlparse: a scheme is a letter, then letters, digits, `+`, `-`, `.`, up to the first `:`.
  const colon = url.indexOf(':');
  const scheme = colon > 0 && /^[A-Za-z][A-Za-z0-9+.-]*$/.test(url.slice(0, colon)) ? url.slice(0, colon).toLowerCase() : '';
  const rest = scheme ? url.slice(colon + 1) : url;
  if (!scheme || !rest.startsWith('//')) throw malformed(shown);
  // Before any part of it is echoed: a password can hide in what would be shown as the repository
  // name (`a@user:Secret@demo`) or as the path after it (`a:Se/cret@demo`). (A plain `a:b@repo`
  // is the profile check's, below, which never echoes the profile.)
  const userInfo = rest.slice(2, Math.max(2, rest.lastIndexOf('@')));
  if (userInfo.includes(':') && /[@/?#]/.test(userInfo)) {
    throw new GrcUrlError(`the URL ${shown} holds a user:password@ part, which a codecommit URL never has: remove it (${FORMS})`);
  }
  const end = rest.slice(2).search(/[/?#]/);
  const netloc = end < 0 ? rest.slice(2) : rest.slice(2, 2 + end);
  const after = end < 0 ? '' : rest.slice(2 + end);
  if (netloc === '') throw malformed(shown);
  // GRC ignores anything after the repository; a lone trailing slash is harmless, the rest is refused.
  if (after !== '' && after !== '/') {
    throw new GrcUrlError(`the URL ${shown} has something after the repository name (${JSON.stringify(after.slice(0, 40))}): a codecommit URL is ${FORMS}`);
  }

  let region: string | undefined;
  if (scheme !== 'codecommit') {
    if (!GRC_REGION_LIKE.test(scheme)) throw malformed(shown);
    region = checkRegion(scheme);
  }
  const at = netloc.indexOf('@');
  const profile = at < 0 ? undefined : netloc.slice(0, at);
  const repository = at < 0 ? netloc : netloc.slice(at + 1);
  if (profile !== undefined) checkUrlProfile(profile, netloc, shown);
  // Spaces and non-ASCII letters can only be part of the profile (the repository rule below is ASCII).
  if (!REPOSITORY.test(repository) || repository === '.' || repository === '..') {
    throw new GrcUrlError(
      `the URL ${shown} names the repository ${JSON.stringify(repository.slice(0, 40))}, which is not a CodeCommit repository name (letters, digits, _ . -; at most 100)`,
    );
  }
  const parsed: GrcUrl = { repository };
  if (profile !== undefined) parsed.profile = profile;
  if (region !== undefined) parsed.region = region;
  return parsed;
}

/** The profile part of a URL: what GRC can read, minus what is unsafe (see the top); never echoed. */
function checkUrlProfile(profile: string, netloc: string, shown: string): void {
  if (profile.includes(':')) {
    throw new GrcUrlError(
      `the URL ${shown} names a profile with ":" in it, which reads as user:password@: leave the profile out of the URL and set AWS_PROFILE, or rename the profile`,
    );
  }
  if (/[[\]]/.test(profile)) throw new GrcUrlError(`the URL ${shown} names a profile with "[" or "]", which git-remote-codecommit cannot read (Python's urlparse refuses it): rename the profile`);
  // urlparse refuses a non-ASCII netloc whose NFKC form holds / ? # @ or : (characters like U+2100 "a/c").
  if (!/^[\x00-\x7f]*$/.test(netloc) && /[/?#@:]/.test(netloc.replace(/[@:#?]/g, '').normalize('NFKC'))) {
    throw new GrcUrlError(`the URL ${shown} names a profile with a character that stands for / ? # @ or : (Unicode NFKC), which git-remote-codecommit refuses: rename the profile`);
  }
  if (profile === '') throw new GrcUrlError(`the URL ${shown} has nothing before "@": write the profile there (${FORMS}), or leave out the "@"`);
  checkProfileName(profile); // control characters are refused above: this is the length
}

/**
 * The partitions with CodeCommit, by botocore's partition `regionRegex` (endpoints.json): aws,
 * aws-cn, aws-us-gov. GRC checks botocore's list of CodeCommit regions instead; a fixed list would
 * refuse regions that open later, so any region of these partitions passes.
 */
const PARTITION_REGIONS = [/^(?:us|eu|ap|sa|ca|me|af|il|mx)-[a-z]+-\d+$/, /^cn-[a-z]+-\d+$/, /^us-gov-[a-z]+-\d+$/];

/** Returns the region, or throws GRC's RegionNotAvailable in one line. */
export function checkRegion(region: string): string {
  if (PARTITION_REGIONS.some((r) => r.test(region))) return region;
  throw new GrcUrlError(`${JSON.stringify(region.slice(0, 40))} is not an AWS Region with CodeCommit (like eu-west-1, cn-north-1, us-gov-west-1)`);
}

/** GRC's host for a region (its website_domain_mapping: China's regions are under amazonaws.com.cn). */
export function codeCommitHostname(region: string): string {
  return `git-codecommit.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
}

/** A URL for a message: quoted when it holds anything unprintable, never with a `user:password@`. */
export function displayUrl(url: string): string {
  const shown = redactUrl(url);
  return /[^\x21-\x7e]/.test(shown) ? JSON.stringify(shown.slice(0, 100)) : shown;
}

function malformed(shown: string): GrcUrlError {
  return new GrcUrlError(`the URL ${shown} is malformed: a codecommit URL is ${FORMS}`);
}

/** A remote URL as it sits in git config: `codecommit::<rest>` or `codecommit://...`; else undefined. */
export function grcPartOfRemoteUrl(value: string): string | undefined {
  // git picks the remote helper by the name as written (`git-remote-<name>`), so only lower case reaches GRC.
  if (value.startsWith('codecommit::')) return value.slice('codecommit::'.length);
  if (value.startsWith('codecommit://')) return value;
  return undefined;
}

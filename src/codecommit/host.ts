// Which hosts are CodeCommit's git endpoints, and in which region.
// The AWS CLI tests `'amazonaws.com' in host` and an unanchored regex, so it would sign for
// `git-codecommit.us-east-1.amazonaws.com.evil.example`. Here every form is anchored at both
// ends, and the region is any well-formed region label (new regions appear without notice).

export type CodeCommitEndpointKind = 'standard' | 'fips' | 'vpce';

export interface CodeCommitHost {
  /** The host git named, without its `:port`: this is what the signature covers. */
  hostname: string;
  region: string;
  kind: CodeCommitEndpointKind;
  /** True for the `.amazonaws.com.cn` partition. */
  china: boolean;
}

const REGION = '[a-z]{2,}(?:-[a-z0-9]+)*-\\d+';
const SUFFIX = 'amazonaws\\.com(\\.cn)?';
// git-codecommit[-fips].<region>.amazonaws.com[.cn]
const PUBLIC_ENDPOINT = new RegExp(`^git-codecommit(-fips)?\\.(${REGION})\\.${SUFFIX}$`, 'i');
// vpce-<id>.git-codecommit[-fips].<region>.vpce.amazonaws.com[.cn] (VPC interface endpoints)
const VPC_ENDPOINT = new RegExp(
  `^vpce-[a-z0-9]+(?:-[a-z0-9]+)*\\.git-codecommit(-fips)?\\.(${REGION})\\.vpce\\.${SUFFIX}$`,
  'i',
);
const PORT = /^\d{1,5}$/;

/** Returns the CodeCommit endpoint git is talking to, or undefined for any other host. */
export function recogniseCodeCommitHost(host: string): CodeCommitHost | undefined {
  const colon = host.lastIndexOf(':');
  let hostname = host;
  if (colon >= 0) {
    const port = host.slice(colon + 1);
    if (!PORT.test(port) || Number(port) < 1 || Number(port) > 65535) return undefined;
    hostname = host.slice(0, colon);
  }
  const vpce = VPC_ENDPOINT.exec(hostname);
  if (vpce) return { hostname, region: vpce[2]!.toLowerCase(), kind: 'vpce', china: vpce[3] !== undefined };
  const pub = PUBLIC_ENDPOINT.exec(hostname);
  if (pub) {
    return {
      hostname,
      region: pub[2]!.toLowerCase(),
      kind: pub[1] ? 'fips' : 'standard',
      china: pub[3] !== undefined,
    };
  }
  return undefined;
}

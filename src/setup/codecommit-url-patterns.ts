// The `credential.<url>` patterns that cover every CodeCommit host form.
//
// git matches `*` against exactly one whole host label
// (https://git-scm.com/docs/git-config#Documentation/git-config.txt-httplturlgt), so each host
// shape needs its own pattern. Checked with `git config --get-urlmatch` on git 2.39: every real
// host form below matches exactly one pattern (case-insensitively, with or without `:443` or a
// user name), and look-alikes match none: `http://`, another port, `git-codecommit.a.b.amazonaws.com`,
// `evil.git-codecommit.<region>.amazonaws.com`, `...amazonaws.com.evil.example`,
// `x.vpce-1.git-codecommit.<region>.vpce.amazonaws.com`. The helper still checks the host
// itself with an anchored match (src/codecommit/host.ts), so a pattern is only a routing rule.
// FIPS endpoints do not exist in the China partition, so there is no pattern for them.

export interface CodeCommitUrlPattern {
  pattern: string;
  /** A real host of this form, for tests and for asking git which helpers apply. */
  sampleHost: string;
}

export const CODECOMMIT_URL_PATTERNS: readonly CodeCommitUrlPattern[] = [
  { pattern: 'https://git-codecommit.*.amazonaws.com', sampleHost: 'git-codecommit.us-east-1.amazonaws.com' },
  { pattern: 'https://git-codecommit-fips.*.amazonaws.com', sampleHost: 'git-codecommit-fips.us-east-1.amazonaws.com' },
  { pattern: 'https://git-codecommit.*.amazonaws.com.cn', sampleHost: 'git-codecommit.cn-north-1.amazonaws.com.cn' },
  // vpce-<id>.git-codecommit.<region>.vpce.amazonaws.com: six labels, the first is the endpoint id.
  {
    pattern: 'https://*.git-codecommit.*.vpce.amazonaws.com',
    sampleHost: 'vpce-0123456789abcdef0-abcdefgh.git-codecommit.eu-west-1.vpce.amazonaws.com',
  },
  {
    pattern: 'https://*.git-codecommit-fips.*.vpce.amazonaws.com',
    sampleHost: 'vpce-0123456789abcdef0-abcdefgh.git-codecommit-fips.us-east-1.vpce.amazonaws.com',
  },
  {
    pattern: 'https://*.git-codecommit.*.vpce.amazonaws.com.cn',
    sampleHost: 'vpce-0123456789abcdef0-abcdefgh.git-codecommit.cn-north-1.vpce.amazonaws.com.cn',
  },
];

/** One URL per host form, for asking git which helpers apply to CodeCommit. */
export const SAMPLE_CODECOMMIT_URLS: readonly string[] = CODECOMMIT_URL_PATTERNS.map(
  ({ sampleHost }) => `https://${sampleHost}/v1/repos/example`,
);

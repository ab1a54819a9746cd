// What `cc-helper doctor` found, as plain data: gathered once (gather.ts), then rendered as text
// (render-text.ts) or JSON (render-json.ts, which documents the field names). No secrets: key ids
// are masked before they get here, and nothing holds a secret key, token or password.
import type { HelperKind } from '../setup/existing-helpers.js';
import type { GuiProbe } from './gui-probe.js';

export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  /** `error` blocks a push (exit status 1); `warning` may; `info` is context. */
  severity: Severity;
  /** Stable identifier, e.g. `no-use-http-path`. */
  code: string;
  message: string;
  /** What to run or change, when there is one thing to do. */
  fix: string | null;
}

export interface HelperFact {
  /** The helper value as written (`''` for a reset). */
  value: string;
  kind: HelperKind;
  /** git's scope: system, global, local, worktree, command. */
  scope: string;
  /** The file the line is in (an included file when it comes through an include). */
  file: string | null;
  /** 1-based line in `file`, when it could be located. */
  line: number | null;
  /** The config key as git lists it: `credential.helper` or `credential.<url>.helper`. */
  key: string;
  /** Whether git runs it for this URL (false: an empty `helper =` later in the order cleared it). */
  runs: boolean;
}

export interface SettingFact {
  value: boolean;
  file: string | null;
  line: number | null;
  key: string | null;
}

export type ProfileReason = '--profile' | 'AWS_PROFILE';

export interface ProfileFact {
  /** The profile cc-helper would sign with, or null when none is chosen (or refused). */
  name: string | null;
  reason: ProfileReason | null;
  /** The helper line carries --allow-default. */
  allowDefault: boolean;
  /** The helper line the profile comes from (the first cc-helper line git runs). */
  helperValue: string | null;
  /** `ambient`: the helper line has `--credentials ambient` (no profile; the machine's own credentials). */
  credentialsMode: 'profile' | 'ambient';
  /** The helper line's `--account` pin, or null. */
  account: string | null;
}

export type CredentialKind = 'static' | 'vault session' | 'role' | 'sso' | 'login' | 'process' | 'web identity' | 'leapp' | 'ambient' | 'missing';

/** An SSO or `aws login` sign-in, as its cache file shows it (doctor reads no network for it). */
export interface SignInFact {
  kind: 'sso' | 'login';
  /** The profile signed in: the one checked, or the source_profile of its role. */
  profile: string;
  /** The cache file (~/.aws/sso/cache/..., ~/.aws/login/cache/...), or null when the profile is incomplete. */
  file: string | null;
  /** missing: no file; unusable: unreadable or refused; ended: expired and not refreshable; refreshes: inside the refresh window (or expired) and refreshable; valid. */
  state: 'missing' | 'unusable' | 'ended' | 'refreshes' | 'valid';
  /** When the current token or credentials end (RFC 3339), or null. */
  expiresAt: string | null;
  /** Whether cc-helper can refresh it (the session's own end is the service's to know). */
  refreshable: boolean;
  /** What signs in again. */
  command: string;
}

export interface CredentialsFact {
  kind: CredentialKind;
  /** Masked (`****************ABCD`), or null when the files hold no key id. */
  accessKeyId: string | null;
  /** The file holding the profile's keys or settings. */
  file: string | null;
  /** RFC 3339, from x_security_token_expires, or null when no expiry is known. */
  expiresAt: string | null;
  expired: boolean;
  /** Whole minutes until expiresAt (negative once past), or null. */
  minutesLeft: number | null;
  /** What makes new credentials on demand: a cc-helper vault, Leapp, another profile; or nothing. */
  renewal: 'vault' | 'leapp' | 'profile' | null;
  /** One line on where they come from (role ARN, SSO start, process...). Never a secret. */
  detail: string;
  /** The sign-in behind them (SSO, aws login; also a role's source profile's), or null. */
  signIn: SignInFact | null;
}

export interface OnlineFact {
  account: string | null;
  arn: string | null;
  /** The STS answer's `Date` header (RFC 3339), when one came back. */
  serverDate: string | null;
  /** Server time minus local time, in whole seconds; positive: this machine is behind. */
  clockSkewSeconds: number | null;
  /** Why the check failed (already free of secrets), or null. */
  error: string | null;
}

export interface TargetReport {
  /** The CodeCommit URL checked (user info removed). */
  url: string;
  /** The remote it comes from, or null for a URL given on the command line. */
  remote: string | null;
  host: string;
  region: string;
  endpointKind: 'standard' | 'fips' | 'vpce';
  china: boolean;
  /** Every credential.helper line that applies to the URL, in git's order, reset ones included. */
  helpers: HelperFact[];
  useHttpPath: SettingFact;
  /** Null when no cc-helper line runs for the URL. */
  profile: ProfileFact | null;
  /** Null when no profile is chosen. */
  credentials: CredentialsFact | null;
  /** Null unless --online. */
  online: OnlineFact | null;
  /** `git credential fill` run as a GUI app runs it; null when no cc-helper line runs (or on Windows). */
  gui: GuiProbe | null;
  findings: Finding[];
}

export interface DefaultProfileFact {
  hasKeys: boolean;
  accessKeyId: string | null;
  file: string | null;
  /** Keys in [default] while the pushes use another profile: likely a canary (or a leftover). */
  looksLikeCanary: boolean;
}

export interface SkippedRemote {
  remote: string;
  url: string;
  reason: string;
}

export interface DoctorReport {
  version: 1;
  ok: boolean;
  exitCode: 0 | 1;
  generatedAt: string;
  /** The repository whose remotes were checked (and whose config git read), or null. */
  repository: string | null;
  online: boolean;
  targets: TargetReport[];
  skippedRemotes: SkippedRemote[];
  defaultProfile: DefaultProfileFact;
  /** Findings not tied to one URL (no CodeCommit remote, [default] keys). */
  findings: Finding[];
}

export function finding(severity: Severity, code: string, message: string, fix: string | null = null): Finding {
  return { severity, code, message, fix };
}

/** `file:line` for messages; git's own origin name when the value came from the command line. */
export function where(file: string | null, line: number | null): string {
  if (!file) return 'command line';
  return line === null ? file : `${file}:${line}`;
}

// `cc-helper doctor --json`: one JSON object on stdout, for scripts. The field names are stable
// (new fields may be added; none is renamed or removed without bumping `version`):
//
// {
//   "version": 1,
//   "ok": boolean,                    // true when a push would work (exit status 0)
//   "exitCode": 0 | 1,
//   "generatedAt": string,            // RFC 3339, this machine's clock
//   "repository": string | null,      // the repository whose remotes were checked
//   "online": boolean,                // --online given
//   "targets": [{                     // one per CodeCommit URL
//     "url": string,                  // user info removed
//     "remote": string | null,        // remote name, null for a URL argument
//     "host": string, "region": string,
//     "endpointKind": "standard" | "fips" | "vpce", "china": boolean,
//     "helpers": [{                   // every credential helper line for the URL, in git's order
//       "value": string,              // as written; "" is a reset
//       "kind": "reset" | "storage" | "aws-cli" | "cc-helper" | "other",
//       "scope": string,              // system | global | local | worktree | command
//       "file": string | null, "line": number | null,
//       "key": string,                // credential.helper or credential.<url>.helper
//       "runs": boolean               // false: a later reset clears it for this URL
//     }],
//     "useHttpPath": { "value": boolean, "file": string | null, "line": number | null, "key": string | null },
//     "profile": null | {             // null when no cc-helper line runs
//       "name": string | null,        // null: none chosen, or refused
//       "reason": "--profile" | "AWS_PROFILE" | null,
//       "allowDefault": boolean,
//       "helperValue": string | null,
//       "credentialsMode": "profile" | "ambient", // ambient: --credentials ambient (name stays null)
//       "account": string | null      // the --account pin
//     },
//     "credentials": null | {
//       "kind": "static" | "vault session" | "role" | "sso" | "login" | "process" | "web identity" | "leapp" | "ambient" | "missing",
//       "accessKeyId": string | null, // masked: ****************ABCD
//       "file": string | null,
//       "expiresAt": string | null,   // RFC 3339
//       "expired": boolean,
//       "minutesLeft": number | null,
//       "renewal": "vault" | "leapp" | "profile" | null,
//       "detail": string,
//       "signIn": null | {            // the SSO / aws login sign-in behind them (also a role's source profile's)
//         "kind": "sso" | "login",
//         "profile": string,          // the profile signed in
//         "file": string | null,      // its cache file
//         "state": "missing" | "unusable" | "ended" | "refreshes" | "valid",
//         "expiresAt": string | null, // the current token / credentials (the session's end is not knowable client-side)
//         "refreshable": boolean,     // cc-helper refreshes it while the session lasts
//         "command": string           // what signs in again
//       }
//     },
//     "online": null | {              // null without --online
//       "account": string | null, "arn": string | null,
//       "serverDate": string | null,  // STS's Date header, RFC 3339
//       "clockSkewSeconds": number | null, // server minus local; positive: this clock is behind
//       "error": string | null
//     },
//     "gui": null | {                 // git credential fill as a GUI app runs it (PATH=/usr/bin:/bin, no terminal, no askpass)
//       "ok": boolean, "git": string,
//       "detail": string,             // the masked key id git got, or git's and the helper's words
//       "shellOnly": [string]         // variables this shell sets that a GUI app would not see
//     },
//     "findings": [Finding]
//   }],
//   "skippedRemotes": [{ "remote": string, "url": string, "reason": string }],
//   "defaultProfile": { "hasKeys": boolean, "accessKeyId": string | null, "file": string | null, "looksLikeCanary": boolean },
//   "findings": [Finding]             // not tied to one URL
// }
// Finding: { "severity": "error" | "warning" | "info", "code": string, "message": string, "fix": string | null }
// Finding codes: no-helper, no-cc-helper, aws-cli-helper, storage-helper, storage-helper-reset,
// helper-before-cc-helper, no-use-http-path, not-https, no-profile, profile-missing,
// aws-files-unreadable, credentials-incomplete, role-from-default, sso-login-needed,
// sso-login-valid, sso-login-refreshes, login-needed, login-not-refreshable, login-refreshes,
// sign-in-unusable, no-session-yet,
// credentials-expired, session-expired-renewable, credentials-expire-soon, expiry-unreadable,
// sts-failed, clock-skew, no-codecommit-remote, default-has-keys, helper-needs-path,
// helper-program-missing, gui-git-fails; for ambient helper lines:
// ambient-without-account, no-ambient-credentials, ambient-failed, account-mismatch,
// ambient-account-unconfirmed, ambient-account.
import type { DoctorReport } from './report.js';

export function renderJson(report: DoctorReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}

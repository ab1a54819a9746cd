// `doctor --online`: who the profile's credentials belong to (STS GetCallerIdentity), and how far
// this machine's clock is from AWS's, read from the answer's `Date` header — an STS error answer
// carries one too, so a skew large enough to break the signature is still measured. SigV4
// requests are refused past 15 minutes of skew; past 5 minutes is worth a warning.
import { loadProfileCredentials } from '../credentials/profile-credentials.js';
import { createStsClient } from '../aws-clients/sts-client.js';
import { UserError } from '../support/errors.js';
import type { Trace } from '../support/trace.js';
import { finding, type Finding, type OnlineFact } from './report.js';

export const SKEW_WARNING_SECONDS = 5 * 60;
export const SKEW_FATAL_SECONDS = 15 * 60;

export async function onlineCheck(
  profile: string,
  region: string,
  options: { env: NodeJS.ProcessEnv; now: () => Date; trace: Trace; allowDefault: boolean },
): Promise<{ online: OnlineFact; findings: Finding[] }> {
  const findings: Finding[] = [];
  const online: OnlineFact = { account: null, arn: null, serverDate: null, clockSkewSeconds: null, error: null };
  let serverDate: Date | undefined;
  let before = 0;
  let after = 0;
  try {
    const { credentials } = await loadProfileCredentials(profile, { env: options.env, now: options.now(), trace: options.trace, allowDefault: options.allowDefault });
    const client = createStsClient({
      region,
      credentials,
      env: options.env,
      profile,
      now: options.now,
      trace: options.trace,
      maxAttempts: 1,
      onResponse: (answer) => {
        after = options.now().getTime();
        if (answer.serverDate) serverDate = answer.serverDate;
      },
    });
    before = options.now().getTime();
    const identity = await client.getCallerIdentity();
    online.account = identity.account;
    online.arn = identity.arn;
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    online.error = error.message;
  }
  if (serverDate) {
    online.serverDate = serverDate.toISOString();
    // The header has whole seconds, rounded down: compare with the middle of the exchange.
    const local = (before + after) / 2;
    online.clockSkewSeconds = Math.round((serverDate.getTime() + 500 - local) / 1000);
    const skew = Math.abs(online.clockSkewSeconds);
    if (skew > SKEW_WARNING_SECONDS) {
      findings.push(
        finding(
          skew > SKEW_FATAL_SECONDS ? 'error' : 'warning',
          'clock-skew',
          `this machine's clock is ${formatSkew(online.clockSkewSeconds)} AWS's: SigV4 signatures (CodeCommit passwords too) are refused past 15 minutes`,
          'synchronise the clock (e.g. `timedatectl set-ntp true`, or your OS time settings)',
        ),
      );
    }
  }
  if (online.error !== null) {
    findings.push(finding('error', 'sts-failed', `STS GetCallerIdentity with profile "${profile}" failed: ${online.error}`, null));
  }
  return { online, findings };
}

function formatSkew(seconds: number): string {
  const minutes = Math.floor(Math.abs(seconds) / 60);
  const rest = Math.abs(seconds) % 60;
  return `${minutes} min ${rest} s ${seconds > 0 ? 'behind' : 'ahead of'}`;
}

// One MFA code from whoever can give it: CC_HELPER_MFA_COMMAND (a YubiKey OATH reader such as
// `ykman oath accounts code -s NAME`), else askpass or /dev/tty through ask.ts; never stdin,
// which belongs to git. Shared by vault sessions and role profiles.
import { execFileSync } from 'node:child_process';
import { UserError } from '../support/errors.js';
import { createAsk } from './ask.js';

export async function askMfaCode(serial: string, profile: string, env: NodeJS.ProcessEnv): Promise<string> {
  const command = env.CC_HELPER_MFA_COMMAND;
  const code = command
    ? runMfaCommand(command, serial, env)
    : await createAsk({ env, fallbackHint: `run \`cc-helper session start ${profile}\` in a terminal first` })(`MFA code for ${serial} (profile ${profile}): `);
  if (!/^\d{6}$/.test(code)) throw new UserError(`the MFA code for profile "${profile}" must be 6 digits; nothing was changed`);
  return code;
}

/** Run through the shell with the MFA serial as $1; its first output line is the code. */
function runMfaCommand(command: string, serial: string, env: NodeJS.ProcessEnv): string {
  try {
    const out = execFileSync('/bin/sh', ['-c', `${command} "$@"`, 'mfa-command', serial], {
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
    return out.split(/\r?\n/, 1)[0]!.trim();
  } catch (error) {
    const status = (error as { status?: number }).status;
    throw new UserError(`the MFA command (CC_HELPER_MFA_COMMAND) failed${status === undefined ? '' : ` with exit status ${status}`}: run it by hand to see why`);
  }
}

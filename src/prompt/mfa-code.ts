// One MFA code from whoever can give it: CC_HELPER_MFA_COMMAND (a YubiKey OATH reader such as
// `ykman oath accounts code -s "$CC_HELPER_MFA_SERIAL"`), else askpass or /dev/tty through ask.ts; never stdin,
// which belongs to git. Shared by vault sessions and role profiles.
import { execFileSync } from 'node:child_process';
import { howChildFailed } from '../support/child-failure.js';
import { UserError } from '../support/errors.js';
import { createAsk } from './ask.js';
import { profileArgument } from '../support/shell-word.js';

/** A YubiKey waits for a touch: a minute is plenty; past it (or CC_HELPER_MFA_COMMAND_TIMEOUT_MS) the command is stopped. */
const DEFAULT_MFA_COMMAND_TIMEOUT_MS = 60_000;

export async function askMfaCode(serial: string, profile: string, env: NodeJS.ProcessEnv): Promise<string> {
  const command = env.CC_HELPER_MFA_COMMAND;
  const code = command
    ? runMfaCommand(command, serial, profile, env)
    : await createAsk({ env, fallbackHint: `run \`cc-helper session start ${profileArgument(profile)}\` in a terminal first` })(`MFA code for ${serial} (profile ${profile}): `);
  if (!/^\d{6}$/.test(code)) throw new UserError(`the MFA code for profile "${profile}" must be 6 digits, got ${describeAnswer(code)}; nothing was changed`);
  return code;
}

/**
 * CC_HELPER_MFA_COMMAND: a shell command that prints the current code on its first line. It gets
 * the device and the profile in CC_HELPER_MFA_SERIAL and CC_HELPER_MFA_PROFILE, never as
 * arguments, so `echo 123456` is a valid command too.
 */
function runMfaCommand(command: string, serial: string, profile: string, env: NodeJS.ProcessEnv): string {
  const timeoutMs = Number(env.CC_HELPER_MFA_COMMAND_TIMEOUT_MS) || DEFAULT_MFA_COMMAND_TIMEOUT_MS;
  try {
    const out = execFileSync('/bin/sh', ['-c', command], {
      env: { ...env, CC_HELPER_MFA_SERIAL: serial, CC_HELPER_MFA_PROFILE: profile },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
    });
    return out.split(/\r?\n/, 1)[0]!.trim();
  } catch (error) {
    throw new UserError(`the MFA command (CC_HELPER_MFA_COMMAND) ${howChildFailed(error, timeoutMs)}: run it by hand to see why`);
  }
}

/** What a wrong MFA answer looked like, without the answer itself: `7 characters (digits, spaces)`. */
export function describeAnswer(answer: string): string {
  if (answer === '') return 'nothing';
  const classes = [
    [/\d/, 'digits'],
    [/[A-Za-z]/, 'letters'],
    [/\s/, 'spaces'],
    [/[^\dA-Za-z\s]/, 'other characters'],
  ] as const;
  const found = classes.filter(([re]) => re.test(answer)).map(([, name]) => name);
  const length = [...answer].length;
  return `${length} character${length === 1 ? '' : 's'} (${found.join(', ')})`;
}

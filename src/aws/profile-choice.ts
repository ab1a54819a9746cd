// Which named profile signs. Never `default` by accident: in many organisations the default
// profile is a honeypot canary, and touching it raises an alarm.
import { UserError } from '../support/errors.js';

export interface ProfileChoiceInput {
  /** `--profile NAME` from the helper line. */
  flag?: string;
  env: NodeJS.ProcessEnv;
  /** `--allow-default`: the explicit opt-in needed before `default` is ever used. */
  allowDefault: boolean;
}

export interface ProfileChoice {
  name: string;
  /** Why this profile, for traces and `doctor`. */
  reason: '--profile' | 'AWS_PROFILE';
}

export const DEFAULT_PROFILE = 'default';

export function chooseProfile({ flag, env, allowDefault }: ProfileChoiceInput): ProfileChoice {
  const choice: ProfileChoice | undefined = flag
    ? { name: flag, reason: '--profile' }
    : env.AWS_PROFILE
      ? { name: env.AWS_PROFILE, reason: 'AWS_PROFILE' }
      : undefined;
  if (!choice) {
    throw new UserError(
      'no AWS profile chosen: add --profile NAME to the credential helper line ' +
        '(or run `cc-helper setup --profile NAME`), or set AWS_PROFILE; cc-helper never falls back to [default]',
    );
  }
  checkProfileName(choice.name);
  if (choice.name === DEFAULT_PROFILE && !allowDefault) {
    throw new UserError(
      `refusing to use the "default" profile (chosen by ${choice.reason}): it may be a canary; ` +
        'name a dedicated profile, or add --allow-default to the helper line if you really mean it',
    );
  }
  return choice;
}

/** Profile names end up in INI headers and git config: refuse anything that could break out. */
export function checkProfileName(name: string): void {
  if (!/^[A-Za-z0-9_.+@=,\-/]{1,128}$/.test(name)) {
    throw new UserError(
      `invalid profile name ${JSON.stringify(name.slice(0, 40))}: use letters, digits and _ . - + @ = , /`,
    );
  }
}

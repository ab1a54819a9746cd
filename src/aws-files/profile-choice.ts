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
  // An empty `--profile=` is a mistake to report, not a reason to fall back to AWS_PROFILE.
  const choice: ProfileChoice | undefined = flag !== undefined
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

/** Longer than any real name; keeps every message and helper line that carries one bounded. */
export const MAX_PROFILE_NAME = 1024;

/**
 * Every name the AWS CLI accepts, except what cannot be carried safely. Names are compared
 * exactly, as botocore compares them: case-sensitive, no trimming, no Unicode normalisation
 * (`Dev` and `dev`, `dév` composed and decomposed, are different profiles). Spaces, quotes, `#`,
 * `;`, `$`, backticks, backslashes, `]`, a tab, a leading `-` and non-ASCII letters all work: the helper
 * line quotes the name for git's shell (setup/helper-line.ts), and the AWS files take any name
 * on one line (a config header quotes it, a credentials header runs to the line's last `]`).
 * What no line-based file or one-line message can carry is refused: a line break, NUL and the
 * other control characters (C0 but the tab, DEL, C1), and the Unicode line and paragraph
 * separators.
 */
export function checkProfileName(name: string): void {
  if (name === '') throw new UserError('the profile name is empty: name the AWS profile that signs (--profile NAME, or AWS_PROFILE)');
  if (UNCARRIABLE.test(name)) {
    throw new UserError(
      `the profile name ${shownName(name.slice(0, 40))} holds a line break or another control character, which cannot be carried safely ` +
        'onto git\'s helper line or into the AWS files: rename the profile (spaces, punctuation and non-ASCII letters all work)',
    );
  }
  if (name.length > MAX_PROFILE_NAME) {
    throw new UserError(`the profile name ${shownName(name.slice(0, 40))}... is longer than ${MAX_PROFILE_NAME} characters: use a shorter one`);
  }
}

/** The name in quotes, every character UNCARRIABLE finds as \uXXXX (JSON.stringify leaves DEL, C1 and U+2028 raw). */
function shownName(name: string): string {
  return JSON.stringify(name).replace(/[\x7f-\x9f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

// eslint-disable-next-line no-control-regex
const UNCARRIABLE = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]/;

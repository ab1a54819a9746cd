// `--replace-aws-cli`: each `aws ... codecommit credential-helper` line becomes a cc-helper line
// with the same profile, in place, through `git config --replace-all --fixed-value` (git >= 2.30),
// which changes that one value and no other byte of the file.
import { stat } from 'node:fs/promises';
import { DEFAULT_PROFILE } from '../aws-files/profile-choice.js';
import type { ExistingHelper } from './existing-helpers.js';
import { gitMessage, runGit, type GitContext } from './git-run.js';
import { helperLine, type Launcher } from './helper-line.js';

export interface Conversion {
  helper: ExistingHelper;
  /** The new value, or undefined when the line is left alone (see `reason`). */
  newValue?: string;
  reason?: string;
  done: boolean;
}

export function planConversions(helpers: readonly ExistingHelper[], launcher: Launcher): Conversion[] {
  return helpers
    .filter((h) => h.kind === 'aws-cli')
    .map((helper): Conversion => {
      if (!helper.file || (helper.scope !== 'global' && helper.scope !== 'local')) {
        return { helper, done: false, reason: `it comes from ${helper.origin} (${helper.scope} scope), which setup does not edit` };
      }
      if (!helper.awsProfile) {
        return {
          helper,
          done: false,
          reason: 'it names no --profile (the AWS CLI then falls back to AWS_PROFILE or [default]; cc-helper never uses [default] unasked): run setup with --profile for that scope instead',
        };
      }
      try {
        // The AWS CLI line named `default` explicitly, so the cc-helper line may too.
        const value = helperLine(helper.awsProfile, launcher, { allowDefault: helper.awsProfile === DEFAULT_PROFILE });
        return { helper, newValue: value, done: false };
      } catch (error) {
        return { helper, done: false, reason: (error as Error).message };
      }
    });
}

export async function applyConversions(conversions: Conversion[], ctx: GitContext): Promise<void> {
  for (const c of conversions) {
    if (c.newValue === undefined || !c.helper.file) continue;
    const mode = await stat(c.helper.file).then((s) => s.mode, () => undefined);
    if (mode !== undefined && (mode & 0o222) === 0) {
      c.reason = `${c.helper.file} is read-only`;
      continue;
    }
    const r = await runGit(
      ['config', '--file', c.helper.file, '--fixed-value', '--replace-all', c.helper.key, c.newValue, c.helper.value],
      ctx,
    );
    if (r.code === 0) c.done = true;
    else c.reason = `git config failed: ${gitMessage(r)}`;
  }
}

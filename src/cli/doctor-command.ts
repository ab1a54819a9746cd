// `cc-helper doctor`: the command's wiring. Which URLs to check (an argument, --repo, or the
// current repository's remotes), then gather (src/doctor/gather.ts) and render as text or JSON.
import { flag, lastOption, type CommandSpec, type ParsedArgs } from './args.js';
import type { CliCommand, CommandContext } from './command.js';
import { classifyUrl, gatherDoctorReport, repositoryTargets, type DoctorTarget } from '../doctor/gather.js';
import { renderJson } from '../doctor/render-json.js';
import { renderText } from '../doctor/render-text.js';
import type { SkippedRemote } from '../doctor/report.js';
import { runGit, type GitContext } from '../setup/git-run.js';
import { exitStatusOf, UsageError } from '../support/errors.js';
import { resolve } from 'node:path';
import { redactText } from '../support/redact.js';

const spec: CommandSpec = {
  name: 'doctor',
  summary: 'explain whether a push to a CodeCommit URL (or this repository\'s remotes) would work',
  valued: ['repo'],
  flags: ['online', 'json'],
  args: { min: 0, max: 1, label: 'one URL' },
  usage: `usage: cc-helper doctor [URL | --repo PATH] [--online] [--json]

Explains whether a push to a CodeCommit URL would work: to URL, or to each CodeCommit remote of
the repository here (or at PATH). It lists the credential helpers git runs for it, in order, with
the file and line each comes from; storage helpers that would keep a CodeCommit password;
useHttpPath; the profile cc-helper uses and why, where its credentials come from and when they
expire; and whether [default] holds keys. Each problem comes with the command that fixes it.

options:
  --repo PATH   check the CodeCommit remotes of the repository at PATH
  --online      also ask STS who the credentials belong to, and measure the clock skew
  --json        the report as JSON, for scripts

examples:
  cc-helper doctor
  cc-helper doctor https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/app
  cc-helper doctor --repo ~/src/app --online --json

exit status: 0 a push would work; 1 a problem would stop a push; 2 bad usage
`,
};

export const command: CliCommand = { spec, run: runDoctor };

export type DoctorIo = Pick<CommandContext, 'stdout' | 'stderr' | 'env' | 'cwd' | 'now' | 'trace'>;

export function runDoctor(parsed: ParsedArgs, io: DoctorIo): Promise<number> {
  return exitStatusOf(() => doctorCommand(parsed, io), io.stderr);
}

async function doctorCommand(parsed: ParsedArgs, io: DoctorIo): Promise<number> {
  const urlArgument = parsed.rest[0];
  const repoOption = lastOption(parsed, 'repo');

  let ctx: GitContext = { env: io.env, cwd: io.cwd };
  let repository: string | null = null;
  if (repoOption !== undefined || urlArgument === undefined) {
    const dir = repoOption === undefined ? io.cwd : resolve(io.cwd, repoOption);
    const top = await repositoryRoot({ env: io.env, cwd: dir });
    if (!top) {
      if (repoOption !== undefined) throw new UsageError(`--repo: ${dir} is not a git repository`);
      throw new UsageError(`${io.cwd} is not in a git repository: give a CodeCommit URL (cc-helper doctor https://git-codecommit.<region>.amazonaws.com/v1/repos/<name>) or --repo PATH`);
    }
    repository = top;
    ctx = { env: io.env, cwd: top };
  }

  let targets: DoctorTarget[];
  let skippedRemotes: SkippedRemote[] = [];
  if (urlArgument !== undefined) {
    const checked = classifyUrl(urlArgument);
    if (!checked.codecommit) throw new UsageError(`${checked.url.slice(0, 200)}: ${checked.reason}; doctor checks CodeCommit HTTPS URLs`);
    targets = [{ url: checked.url, remote: null }];
  } else {
    ({ targets, skipped: skippedRemotes } = await repositoryTargets(ctx));
  }
  const report = await gatherDoctorReport({
    targets,
    skippedRemotes,
    ctx,
    repository,
    online: flag(parsed, 'online'),
    now: io.now,
    trace: io.trace,
  });
  // Like every message: no URL user info or token, whoever put it in the report (src/support/redact.ts).
  io.stdout(redactText(flag(parsed, 'json') ? renderJson(report) : renderText(report)));
  return report.exitCode;
}

async function repositoryRoot(ctx: GitContext): Promise<string | undefined> {
  const r = await runGit(['rev-parse', '--show-toplevel'], ctx).catch(() => undefined);
  if (!r || r.code !== 0) return undefined;
  return Buffer.from(r.stdout, 'latin1').toString('utf8').trim() || undefined;
}

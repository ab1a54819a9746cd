// `cc-helper doctor`: the command's wiring. Which URLs to check (an argument, --repo, or the
// current repository's remotes), then gather (src/doctor/gather.ts) and render as text or JSON.
import { flag, lastOption, type ParsedArgs } from './args.js';
import { classifyUrl, gatherDoctorReport, repositoryTargets, type DoctorTarget } from '../doctor/gather.js';
import { renderJson } from '../doctor/render-json.js';
import { renderText } from '../doctor/render-text.js';
import type { SkippedRemote } from '../doctor/report.js';
import { runGit, type GitContext } from '../setup/git-run.js';
import { exitStatusOf, UsageError } from '../support/errors.js';
import type { Trace } from '../support/trace.js';
import { resolve } from 'node:path';

export const DOCTOR_VALUED_OPTIONS: ReadonlySet<string> = new Set(['repo']);
export const DOCTOR_FLAG_OPTIONS: ReadonlySet<string> = new Set(['online', 'json']);

export const DOCTOR_USAGE = `  cc-helper doctor [URL | --repo PATH] [--online] [--json]
      explain whether a push to a CodeCommit URL (or to each CodeCommit remote of the repository
      here or at PATH) would work: the credential helpers git runs and where they are set,
      useHttpPath, the profile and its credentials, [default] keys; --online also asks STS who
      the credentials belong to and measures the clock skew. Exit status 0: healthy; 1: a problem
      would stop a push
`;

export interface DoctorIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  now: () => Date;
  trace: Trace;
}

export function runDoctor(parsed: ParsedArgs, io: DoctorIo): Promise<number> {
  return exitStatusOf(() => doctorCommand(parsed, io), io.stderr);
}

async function doctorCommand(parsed: ParsedArgs, io: DoctorIo): Promise<number> {
  for (const name of parsed.options.keys()) {
    if (!DOCTOR_VALUED_OPTIONS.has(name) && !DOCTOR_FLAG_OPTIONS.has(name) && name !== 'debug') {
      throw new UsageError(`doctor does not take --${name}: see \`cc-helper --help\``);
    }
  }
  if (parsed.rest.length > 1) throw new UsageError('doctor takes at most one URL');
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
  io.stdout(flag(parsed, 'json') ? renderJson(report) : renderText(report));
  return report.exitCode;
}

async function repositoryRoot(ctx: GitContext): Promise<string | undefined> {
  const r = await runGit(['rev-parse', '--show-toplevel'], ctx).catch(() => undefined);
  if (!r || r.code !== 0) return undefined;
  return Buffer.from(r.stdout, 'latin1').toString('utf8').trim() || undefined;
}

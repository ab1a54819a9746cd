// `cc-helper migrate`: the command's wiring. Which repositories (here and its submodules, or
// every one under --all DIR), then plan / migrate / undo each, a report on stdout.
import { flag, type CommandSpec, type ParsedArgs } from './args.js';
import type { CliCommand } from './command.js';
import { repositoriesUnder, repositoryWithSubmodules } from '../codecommit-remote/find-repositories.js';
import { displayUrl } from '../codecommit-remote/codecommit-url.js';
import { mappingsOf, migrateRepository, planRepository, undoRepository, unmappedOf, type RepositoryPlan, type UndoReport } from '../codecommit-remote/migrate.js';
import type { GitContext } from '../setup/git-run.js';
import { exitStatusOf, oneLine, UsageError } from '../support/errors.js';
import type { SetupIo } from './setup-command.js';
import { profileOption } from '../support/shell-word.js';

const spec: CommandSpec = {
  name: 'migrate',
  summary: 'move git-remote-codecommit URLs (codecommit::) to https, each mapped to its profile',
  flags: ['all', 'dry-run', 'undo'],
  args: { min: 0, max: 1, label: 'the folder for --all' },
  usage: `usage: cc-helper migrate [--all DIR] [--dry-run | --undo]

Moves git-remote-codecommit URLs (codecommit::REGION://PROFILE@REPO, codecommit://PROFILE@REPO)
in the remotes and .gitmodules of this repository and its submodules (or of every repository
under DIR) to https, and maps each repository's remotes to their profiles in that repository's
own config (as setup --local --remote-url does), keeping any account pin that applies there, so
the next git fetch works without git-remote-codecommit. URLs in .gitmodules name other
repositories: they are rewritten, not mapped. Running it again changes nothing.

options:
  --all DIR    every repository under DIR
  --dry-run    show the plan; change nothing
  --undo       give the files back byte for byte (URLs only, where they changed since)

examples:
  cc-helper migrate --dry-run
  cc-helper migrate --all ~/clients
  cc-helper migrate --undo

exit status: 0 done; 1 failed; 2 bad usage
`,
};

export const command: CliCommand = { spec, run: runMigrate };

/** The same as setup's: output, the caller's environment and directory. */
export type MigrateIo = SetupIo;

export function runMigrate(parsed: ParsedArgs, io: MigrateIo): Promise<number> {
  return exitStatusOf(() => migrateCommand(parsed, io), io.stderr);
}

async function migrateCommand(parsed: ParsedArgs, io: MigrateIo): Promise<number> {
  // `--all` is a flag (setup --remove --all shares the name), so its folder is the argument.
  const all = flag(parsed, 'all');
  if (all && parsed.rest.length !== 1) throw new UsageError('migrate --all needs one folder: cc-helper migrate --all DIR');
  if (!all && parsed.rest.length > 0) throw new UsageError(`migrate takes no arguments (got "${oneLine(parsed.rest[0]!).slice(0, 40)}"); for a folder of repositories: --all DIR`);
  const dryRun = flag(parsed, 'dry-run');
  const ctx: GitContext = { env: io.env, cwd: io.cwd };
  const repositories = all ? await repositoriesUnder(parsed.rest[0]!, ctx) : await repositoryWithSubmodules(io.cwd, ctx);

  if (flag(parsed, 'undo')) {
    const reports: UndoReport[] = [];
    // Last migrated, first undone: a submodule's mapping may have been made by its superproject.
    for (const r of [...repositories].reverse()) reports.push(await undoRepository(r, dryRun, { ...ctx, cwd: r.workTree ?? r.commonDir }));
    io.stdout(formatUndo(reports, dryRun));
    return 0;
  }
  const plans: RepositoryPlan[] = [];
  for (const r of repositories) plans.push(await planRepository(r, ctx));
  if (!dryRun) for (const plan of plans) await migrateRepository(plan, { ...ctx, cwd: plan.repository.workTree ?? plan.repository.commonDir });
  io.stdout(formatMigrate(plans, { dryRun, all: all ? parsed.rest[0]! : undefined }));
  return 0;
}

function where(plan: { repository: { workTree?: string; commonDir: string } }): string {
  return plan.repository.workTree ?? plan.repository.commonDir;
}

export function formatMigrate(plans: readonly RepositoryPlan[], { dryRun, all }: { dryRun: boolean; all: string | undefined }): string {
  const changing = plans.filter((p) => p.urls.length > 0 || p.skipped.length > 0);
  let out = dryRun ? 'cc-helper migrate --dry-run: nothing was changed.\n' : '';
  if (changing.length === 0) {
    return out + `cc-helper migrate: no codecommit:: URLs in ${plans.length === 1 ? where(plans[0]!) : `${plans.length} repositories`}; nothing to do.\n`;
  }
  const would = dryRun ? 'would ' : '';
  for (const plan of changing) {
    out += `${where(plan)}:\n`;
    for (const u of plan.urls) out += `  ${u.file === 'config' ? 'config' : '.gitmodules'} ${u.key}: ${displayUrl(u.from)}\n      ${dryRun ? '->' : 'now'} ${displayUrl(u.to)}  (profile ${u.profile})\n`;
    for (const m of mappingsOf(plan)) {
      const pin = plan.urls.find((u) => u.mapped && u.to === m.pattern)?.pin;
      out += `  ${would}map ${m.pattern} to profile ${m.profile} in this repository (cc-helper setup ${profileOption(m.profile)}${m.account ? ` --account ${m.account}` : ''} --local --remote-url ${m.pattern})\n`;
      if (pin) out += `      pinned to account ${pin.account}: ${pin.from}\n`;
    }
    for (const m of unmappedOf(plan)) {
      out += `  not mapped: ${m.pattern} names another repository; migrate maps it in that repository's own checkout. For every repository with this remote: cc-helper setup ${profileOption(m.profile)} --remote-url ${m.pattern}\n`;
    }
    for (const s of plan.skipped) out += `  left as it is: ${s.key} ${displayUrl(s.value)}: ${oneLine(s.reason)}\n`;
    if (plan.urls.some((u) => u.file === 'gitmodules')) out += `  .gitmodules is tracked: commit it to share the https URLs\n`;
  }
  if (!dryRun && changing.some((p) => p.urls.length > 0)) out += `Undo: cc-helper migrate --undo${all === undefined ? '' : ` --all ${all}`}\n`;
  return out;
}

function formatUndo(reports: readonly UndoReport[], dryRun: boolean): string {
  const done = reports.filter((r) => !r.nothing);
  if (done.length === 0) return 'cc-helper migrate --undo: migrate changed nothing here; nothing to undo.\n';
  let out = dryRun ? 'cc-helper migrate --undo --dry-run: nothing was changed.\n' : '';
  const would = dryRun ? 'would ' : '';
  for (const r of done) {
    out += `${where(r)}:\n`;
    for (const f of r.restored) out += `  ${would}restore ${f === 'config' ? 'config' : '.gitmodules'} byte for byte\n`;
    for (const f of r.urlsReverted) out += `  ${would}put back the codecommit URLs in ${f === 'config' ? 'config' : '.gitmodules'} (changed since migrate: the rest stays)\n`;
    for (const m of r.mappings) {
      const what = m.before.kind === 'none' ? 'remove the mapping' : m.before.kind === 'profile' ? `map back to profile ${m.before.profile}` : 'keep the mapping (it was there before)';
      out += `  ${would}${what} of ${m.pattern}\n`;
    }
  }
  return out;
}

// `cc-helper setup`: the command's wiring. Options in, one of setup / --remove / --list run with
// the caller's environment and directory, a report on stdout, problems on stderr.
import { flag, lastOption, type ParsedArgs } from './args.js';
import { exitStatusOf, oneLine, UsageError } from '../support/errors.js';
import { explainHelper } from '../setup/existing-helpers.js';
import type { GitContext } from '../setup/git-run.js';
import { listMappings } from '../setup/list-mappings.js';
import { credentialUrls } from '../setup/owned-file.js';
import { removeMappings } from '../setup/remove-mapping.js';
import { describeMapping, scopeFlags, type ScopeRequest } from '../setup/scope.js';
import { AMBIENT_MAPPING, setupMapping, type SetupReport } from '../setup/setup-mapping.js';

/** Options `setup` adds that take a value (main.ts merges them into its sets). */
export const SETUP_VALUED_OPTIONS: ReadonlySet<string> = new Set(['profile', 'dir', 'remote-url', 'account']);
/** Options `setup` adds that are flags. */
export const SETUP_FLAG_OPTIONS: ReadonlySet<string> = new Set(['local', 'dry-run', 'replace-aws-cli', 'remove', 'list', 'all', 'allow-default', 'ambient']);

export const SETUP_USAGE = `  cc-helper setup --profile NAME [--account ID] [--local | --dir PATH | --remote-url PATTERN] [--dry-run] [--replace-aws-cli]
      make git use cc-helper with that profile for every CodeCommit URL: everywhere (default),
      in this repository (--local), in repositories under PATH (--dir), or in repositories with a
      remote matching PATTERN (--remote-url, git >= 2.36); running it again replaces the profile;
      --account ID pins it: the helper refuses to sign with credentials of any other account
  cc-helper setup --ambient --account ID [--local | --dir PATH | --remote-url PATTERN] [--dry-run]
      for CI images and cloud workloads: sign with the machine's own credentials (environment
      keys, web identity, container credentials, EKS Pod Identity, IMDSv2; never the shared
      files), and only when they belong to account ID
  cc-helper setup --remove [--local | --dir PATH | --remote-url PATTERN | --all] [--dry-run]
      take out exactly what setup wrote for that scope
  cc-helper setup --list
      every mapping cc-helper manages: scope, where it applies, profile, file
`;

export interface SetupIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export function runSetup(parsed: ParsedArgs, io: SetupIo): Promise<number> {
  return exitStatusOf(() => setupCommand(parsed, io), io.stderr);
}

async function setupCommand(parsed: ParsedArgs, io: SetupIo): Promise<number> {
  if (parsed.rest.length > 0) throw new UsageError(`setup takes no arguments (got "${parsed.rest[0]!.slice(0, 40)}"): see \`cc-helper --help\``);
  const ctx: GitContext = { env: io.env, cwd: io.cwd };
  const dryRun = flag(parsed, 'dry-run');
  const modes = ['remove', 'list'].filter((m) => flag(parsed, m));
  if (modes.length > 1) throw new UsageError('choose one of --remove and --list');

  if (flag(parsed, 'list')) {
    rejectOptions(parsed, ['profile', 'account', 'ambient', 'dir', 'remote-url', 'local', 'all', 'replace-aws-cli', 'dry-run'], '--list');
    io.stdout(formatList(await listMappings(ctx)));
    return 0;
  }
  if (flag(parsed, 'remove')) {
    rejectOptions(parsed, ['profile', 'account', 'ambient', 'replace-aws-cli'], '--remove');
    const all = flag(parsed, 'all');
    if (all && scopeOptionCount(parsed) > 0) throw new UsageError('--all removes every mapping: give it without a scope');
    const report = await removeMappings(all ? { all: true } : { scope: scopeRequest(parsed) }, dryRun, ctx);
    io.stdout(formatRemove(report, dryRun));
    return 0;
  }
  rejectOptions(parsed, ['all'], 'setup without --remove');
  const profile = lastOption(parsed, 'profile');
  if (flag(parsed, 'ambient')) {
    rejectOptions(parsed, ['profile', 'allow-default', 'replace-aws-cli'], '--ambient (it never uses a profile)');
    if (lastOption(parsed, 'account') === undefined) throw new UsageError('setup --ambient needs --account ID: ambient credentials could belong to any account, so the helper line must pin one');
  } else if (!profile) {
    throw new UsageError('setup needs --profile NAME (the AWS named profile that signs for this scope), or --ambient --account ID for CI images');
  }
  const report = await setupMapping(
    { scope: scopeRequest(parsed), profile, allowDefault: flag(parsed, 'allow-default'), account: lastOption(parsed, 'account'), dryRun, replaceAwsCli: flag(parsed, 'replace-aws-cli') },
    ctx,
  );
  io.stdout(formatSetup(report, { dryRun, replaceAwsCli: flag(parsed, 'replace-aws-cli') }));
  if (report.launcherNote) io.stderr(`cc-helper: note: ${oneLine(report.launcherNote)}\n`);
  return 0;
}

function scopeOptionCount(parsed: ParsedArgs): number {
  return ['local', 'dir', 'remote-url'].filter((o) => flag(parsed, o)).length;
}

function scopeRequest(parsed: ParsedArgs): ScopeRequest {
  if (scopeOptionCount(parsed) > 1) throw new UsageError('choose one scope: --local, --dir PATH or --remote-url PATTERN (none: global)');
  for (const o of ['dir', 'remote-url']) {
    if ((parsed.options.get(o)?.length ?? 0) > 1) throw new UsageError(`give --${o} once (run setup once per ${o === 'dir' ? 'directory' : 'pattern'})`);
  }
  const dir = lastOption(parsed, 'dir');
  if (dir !== undefined) return { kind: 'dir', dir };
  const pattern = lastOption(parsed, 'remote-url');
  if (pattern !== undefined) return { kind: 'remote', pattern };
  return flag(parsed, 'local') ? { kind: 'local' } : { kind: 'global' };
}

function rejectOptions(parsed: ParsedArgs, names: readonly string[], context: string): void {
  const given = names.find((n) => flag(parsed, n));
  if (given) throw new UsageError(`--${given} does not go with ${context}`);
}

function indent(text: string, by = '      '): string {
  return latin1ToUtf8(text).replace(/\n$/, '').split('\n').map((l) => by + l).join('\n') + '\n';
}

function latin1ToUtf8(text: string): string {
  return Buffer.from(text, 'latin1').toString('utf8');
}

export function formatSetup(r: SetupReport, options: { dryRun: boolean; replaceAwsCli: boolean }): string {
  const m = r.mapping;
  const scope = describeMapping(m);
  const where = m.kind === 'global' ? 'everywhere' : `in ${scope}`;
  let out = '';
  const unchanged = !r.ownedChanged && !r.includerChanged;
  if (options.dryRun) out += `cc-helper setup --dry-run (${scope}, ${signer(r.profile)}): nothing was written.\n`;
  else if (unchanged) out += `cc-helper setup: ${scope} already uses ${signer(r.profile)}; nothing changed.\n`;
  else if (r.previousProfile) out += `cc-helper setup: ${scope} now uses ${signer(r.profile)} (was ${r.previousProfile}).\n`;
  else if (r.previousHelper) out += `cc-helper setup: ${scope} uses ${signer(r.profile)}; its helper line changed (Node or cc-helper moved, or it had an older form). It was:\n      ${r.previousHelper}\n`;
  else out += `cc-helper setup: ${scope} uses ${signer(r.profile)}.\n`;
  out += `  helper line: ${r.helper}\n`;

  const would = options.dryRun ? 'would ' : '';
  if (!r.ownedChanged && options.dryRun) out += `  ${m.ownedFile} (cc-helper's own file) is up to date\n`;
  if (r.ownedChanged) {
    out += `  ${options.dryRun ? 'would write' : 'wrote'} ${m.ownedFile} (cc-helper's own file):\n`;
    out += options.dryRun
      ? indent(r.ownedText)
      : `      for ${credentialUrls(m).join(', ')}:\n      \`helper =\` (reset), the helper line, useHttpPath = true\n`;
  }
  if (r.includerChanged) {
    const verb = r.includerCreated ? 'create' : r.moved ? 'move cc-helper\'s lines to the end of' : 'add to the end of';
    out += `  ${options.dryRun ? 'would ' + verb : pastTense(verb)} ${m.includer}${r.moved ? ' (so they come after lines added since)' : ''}:\n`;
    out += indent(options.dryRun ? r.includerTail : r.includeText);
  }
  for (const edited of r.editedByHand) {
    out += `  note: an include of ${edited.path} had been edited by hand; ${would}remove it with git config --unset\n`;
  }

  const relevant = r.existing.filter((h) => h.kind !== 'reset');
  if (relevant.length > 0) {
    out += `Credential helpers you already have for CodeCommit URLs (git runs them first, then cc-helper's block):\n`;
    for (const h of relevant) out += indent(explainHelper(h, where), '  ').replace(/^ {2}(?=\S)/, '  - ');
  }
  const conversions = r.conversions;
  if (conversions.length > 0) {
    if (!options.replaceAwsCli) {
      out += `  (run setup again with --replace-aws-cli to turn ${conversions.length > 1 ? 'the AWS CLI lines into cc-helper lines' : 'the AWS CLI line into a cc-helper line'})\n`;
    } else {
      for (const c of conversions) {
        const place = `${c.helper.key} in ${c.helper.file ?? c.helper.origin}`;
        if (c.newValue !== undefined && (c.done || options.dryRun)) {
          out += `  ${options.dryRun ? 'would replace' : 'replaced'} ${place}:\n      was: ${c.helper.value}\n      now: ${c.newValue}\n`;
          if (!options.dryRun) out += `      (--remove does not bring the AWS CLI line back)\n`;
        } else {
          out += `  left ${place} as it is: ${c.reason ?? 'not converted'}\n`;
        }
      }
    }
  }
  if (!options.dryRun) {
    out += `Undo: cc-helper setup --remove${scopeFlags(m)}\n`;
    if (m.kind === 'dir') out += `Note: git applies it to repositories under ${m.target} (the .git directory must be below it).\n`;
  }
  return out;
}

/** `profile NAME`, or what an ambient mapping signs with. */
function signer(profile: string): string {
  return profile === AMBIENT_MAPPING ? 'ambient credentials (--credentials ambient)' : `profile ${profile}`;
}

function pastTense(verb: string): string {
  return verb === 'create' ? 'created' : verb.startsWith('move') ? 'moved' + verb.slice(4) : 'added to the end of';
}

function formatRemove(report: Awaited<ReturnType<typeof removeMappings>>, dryRun: boolean): string {
  if (report.removed.length === 0) return 'cc-helper setup --remove: nothing of cc-helper\'s to remove there.\n';
  let out = dryRun ? 'cc-helper setup --remove --dry-run: nothing was changed. It would remove:\n' : 'cc-helper setup --remove: removed\n';
  for (const r of report.removed) {
    out +=
      r.kind === 'unknown'
        ? `  an include of ${r.ownedFile} (the file is missing)\n`
        : `  ${describeMapping({ kind: r.kind, target: r.target })}${r.profile ? ` (profile ${r.profile})` : ''}: ${r.ownedFile}\n`;
  }
  for (const i of report.includers) {
    out += `  ${i.deleted ? `${dryRun ? 'would delete' : 'deleted'} ${i.file} (setup had created it and it is empty again)` : `${dryRun ? 'would take' : 'took'} cc-helper's lines out of ${i.file}`}\n`;
    for (const e of i.editedByHand) out += `  note: the include of ${e.path} had been edited by hand; removed with git config --unset\n`;
  }
  return out;
}

function formatList(list: Awaited<ReturnType<typeof listMappings>>): string {
  if (list.length === 0) return 'cc-helper manages no git config yet: run `cc-helper setup --profile NAME`.\n';
  const rows = list.map((l) => [
    l.kind,
    l.profile ?? '?',
    l.kind === 'global' ? 'everywhere' : l.target,
    l.file,
    l.status === 'active' ? '' : `(${l.status}${l.status === 'not included' || l.status === 'file missing' ? ': cc-helper setup --remove --all cleans up' : ''})`,
  ]);
  const header = ['scope', 'profile', 'applies to', 'file', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd() + '\n';
  let out = line(header) + rows.map(line).join('');
  const includers = [...new Set(list.map((l) => l.includer))];
  out += `Included from: ${includers.join(', ')}. Where several apply, the later line in that file wins (global, then directories, then remote URLs; a repository's own config comes last).\n`;
  return out;
}

// `cc-helper setup`: the command's wiring. Options in, one of setup / --remove / --list run with
// the caller's environment and directory, a report on stdout, problems on stderr.
import { sharedFilePaths } from '../aws-files/shared-files.js';
import { readSessionDefinitions } from '../sessions/session-definitions.js';
import { flag, lastOption, type CommandSpec, type ParsedArgs } from './args.js';
import type { CliCommand, CommandContext } from './command.js';
import { exitStatusOf, oneLine, UsageError } from '../support/errors.js';
import { explainHelper } from '../setup/existing-helpers.js';
import type { GitContext } from '../setup/git-run.js';
import { listMappings } from '../setup/list-mappings.js';
import { credentialUrls } from '../setup/owned-file.js';
import { removeMappings } from '../setup/remove-mapping.js';
import { describeMapping, scopeFlags, type ScopeRequest } from '../setup/scope.js';
import { AMBIENT_MAPPING, setupMapping, type SetupReport } from '../setup/setup-mapping.js';
import { profileArgument, profileOption } from '../support/shell-word.js';
import { readProfile } from '../aws-files/profile.js';

const spec: CommandSpec = {
  name: 'setup',
  summary: 'make git use cc-helper with a profile for CodeCommit URLs (everywhere, a directory, a repo)',
  valued: ['profile', 'account', 'dir', 'remote-url'],
  flags: ['local', 'dry-run', 'replace-aws-cli', 'remove', 'list', 'all', 'allow-default', 'ambient'],
  usage: `usage: cc-helper setup --profile NAME [--account ID] [--local | --dir PATH | [--local] --remote-url PATTERN]
                       [--allow-default] [--dry-run] [--replace-aws-cli]
       cc-helper setup --ambient --account ID [--local | --dir PATH | --remote-url PATTERN] [--dry-run]
       cc-helper setup --remove [--local | --dir PATH | --remote-url PATTERN | --all] [--dry-run]
       cc-helper setup --list

Makes git use cc-helper with that profile for every CodeCommit URL form (standard, FIPS, China,
VPC endpoints): one include line at the end of your git config pointing at a file cc-helper owns
in ~/.config/cc-helper/git/. The helper line names Node and cc-helper by absolute path, so git
finds them without your shell's PATH (IDEs, GUI clients); run setup again after either moved.
Running it again replaces the scope's profile; twice changes nothing.

options:
  --profile NAME        the AWS named profile that signs (a profile not in ~/.aws yet is allowed,
                        with a warning)
  --account ID          pin it: the helper refuses credentials of any other account
  --local               only this repository (run inside it)
  --dir PATH            repositories under PATH (their .git below it)
  --remote-url PATTERN  repositories with a remote matching PATTERN (git >= 2.36)
                        (none of these three: everywhere, in ~/.gitconfig; --local with
                        --remote-url: only this repository's remotes matching PATTERN)
  --allow-default       allow the profile named "default" (it may be a canary)
  --ambient             CI and cloud: sign with the machine's own credentials (environment keys,
                        web identity, container, EKS Pod Identity, IMDSv2), never the shared
                        files; needs --account
  --dry-run             show exactly what would be written and where; write nothing
  --replace-aws-cli     turn \`aws codecommit credential-helper\` lines into cc-helper lines
  --remove              take out exactly what setup wrote for that scope (--all: every scope)
  --list                every mapping cc-helper manages: scope, where it applies, profile, file

examples:
  cc-helper setup --profile CodeCommitProfile
  cc-helper setup --profile AcmeCode --dir ~/clients/acme --account 123456789012
  cc-helper setup --profile AcmeCode --remote-url 'https://git-codecommit.*.amazonaws.com/v1/repos/acme-*'
  cc-helper setup --ambient --account 123456789012      # a CI image
  cc-helper setup --remove --dir ~/clients/acme
  cc-helper setup --remove --all      # everything; your files are back byte for byte

exit status: 0 done; 1 failed (nothing half-written); 2 bad usage
`,
};

export const command: CliCommand = { spec, run: runSetup };

export type SetupIo = Pick<CommandContext, 'stdout' | 'stderr' | 'env' | 'cwd'>;

export function runSetup(parsed: ParsedArgs, io: SetupIo): Promise<number> {
  return exitStatusOf(() => setupCommand(parsed, io), io.stderr);
}

async function setupCommand(parsed: ParsedArgs, io: SetupIo): Promise<number> {
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
  const missing = profile === undefined ? undefined : missingProfileWarning(profile, io.env);
  if (missing) io.stderr(`cc-helper: warning: ${missing}\n`);
  return 0;
}

/**
 * A profile that is in neither AWS file nor the vault: allowed (it may be made later), but a push
 * would fail until then, so say so. Unreadable files are doctor's business, not setup's.
 */
function missingProfileWarning(profile: string, env: NodeJS.ProcessEnv): string | undefined {
  const { credentialsFile, configFile } = sharedFilePaths(env);
  try {
    const found = readProfile(profile, env);
    if (found.inCredentialsFile || found.inConfigFile) return undefined;
  } catch {
    return undefined; // an unreadable file is doctor's business
  }
  try {
    if (readSessionDefinitions(env)[profile]) return undefined;
  } catch {
    return undefined;
  }
  return `profile "${profile}" is not in ${credentialsFile} or ${configFile}, nor vault-backed: git pushes fail until it exists (\`aws configure ${profileOption(profile)}\` or \`cc-helper vault add ${profileArgument(profile)}\`)`;
}

function scopeOptionCount(parsed: ParsedArgs): number {
  return ['local', 'dir', 'remote-url'].filter((o) => flag(parsed, o)).length;
}

function scopeRequest(parsed: ParsedArgs): ScopeRequest {
  // --local --remote-url U: this repository's remote U only (what migrate writes).
  const localRemote = flag(parsed, 'local') && flag(parsed, 'remote-url') && !flag(parsed, 'dir');
  if (scopeOptionCount(parsed) > (localRemote ? 2 : 1)) throw new UsageError('choose one scope: --local, --dir PATH, --remote-url PATTERN or --local --remote-url PATTERN (none: global)');
  for (const o of ['dir', 'remote-url']) {
    if ((parsed.options.get(o)?.length ?? 0) > 1) throw new UsageError(`give --${o} once (run setup once per ${o === 'dir' ? 'directory' : 'pattern'})`);
  }
  const dir = lastOption(parsed, 'dir');
  if (dir !== undefined) return { kind: 'dir', dir };
  const pattern = lastOption(parsed, 'remote-url');
  if (pattern !== undefined) return localRemote ? { kind: 'remote', pattern, local: true } : { kind: 'remote', pattern };
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
  for (const d of r.pinnedDirsAfter) {
    out += `  note: repositories under ${d.dir} keep signing with ${d.profile}: that directory's mapping is pinned to an account (--account) and comes after this one` +
      `${m.kind === 'dir' ? '; pin this one too (--account) to use it there' : ' (a remote-URL mapping reaches every repository with such a remote, but not into a pinned folder)'}\n`;
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
        : `  ${describeMapping({ kind: r.kind, target: r.target, ...(r.repository !== undefined ? { repository: r.repository } : {}) })}${r.profile ? ` (profile ${r.profile})` : ''}: ${r.ownedFile}\n`;
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
    l.kind === 'global' ? 'everywhere' : l.repository === undefined ? l.target : `${l.target} in ${l.repository}`,
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

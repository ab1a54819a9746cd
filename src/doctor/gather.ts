// Gathers what decides whether a push to a CodeCommit URL works, for each URL: the helper chain
// git builds, useHttpPath, the profile cc-helper picks and its credentials, and (online) STS's
// view. The findings are derived here from those facts; rendering is elsewhere.
import { existsSync } from 'node:fs';
import { chooseProfile } from '../aws-files/profile-choice.js';
import { recogniseCodeCommitHost } from '../codecommit/host.js';
import { runGit, type GitContext } from '../setup/git-run.js';
import { UserError } from '../support/errors.js';
import type { Trace } from '../support/trace.js';
import { credentialFacts, defaultProfileFacts } from './credential-facts.js';
import { credentialConfigFor, readCredentialEntries, type CredentialEntry } from './credential-config.js';
import { probeLikeGui } from './gui-probe.js';
import { helperLineOptions, helperPrograms } from '../setup/helper-profile.js';
import { onlineCheck } from './online-check.js';
import { finding, where, type DoctorReport, type Finding, type HelperFact, type OnlineFact, type ProfileFact, type SkippedRemote, type TargetReport } from './report.js';
import { redactUrl } from '../support/redact.js';

export interface DoctorTarget {
  url: string;
  remote: string | null;
}

export interface DoctorInput {
  targets: DoctorTarget[];
  skippedRemotes: SkippedRemote[];
  /** Where git runs (the repository, or the current directory for a bare URL). */
  ctx: GitContext;
  repository: string | null;
  online: boolean;
  now: () => Date;
  trace: Trace;
}

export async function gatherDoctorReport(input: DoctorInput): Promise<DoctorReport> {
  const entries = await readCredentialEntries(input.ctx);
  const onlineCache = new Map<string, Promise<{ online: OnlineFact; findings: Finding[] }>>();
  const targets: TargetReport[] = [];
  for (const target of input.targets) targets.push(await checkTarget(target, entries, input, onlineCache));

  const findings: Finding[] = [];
  if (input.repository !== null && targets.length === 0) {
    findings.push(finding('error', 'no-codecommit-remote', `${input.repository} has no remote with a CodeCommit HTTPS URL`, 'cc-helper doctor https://git-codecommit.<region>.amazonaws.com/v1/repos/<name>'));
  }
  const pushProfiles = targets.map((t) => t.profile?.name).filter((n): n is string => !!n);
  const defaults = defaultProfileFacts(input.ctx.env, pushProfiles);
  findings.push(...defaults.findings);
  const ok = ![...findings, ...targets.flatMap((t) => t.findings)].some((f) => f.severity === 'error');
  return {
    version: 1,
    ok,
    exitCode: ok ? 0 : 1,
    generatedAt: input.now().toISOString(),
    repository: input.repository,
    online: input.online,
    targets,
    skippedRemotes: input.skippedRemotes,
    defaultProfile: defaults.fact,
    findings,
  };
}

async function checkTarget(
  target: DoctorTarget,
  entries: readonly CredentialEntry[],
  input: DoctorInput,
  onlineCache: Map<string, Promise<{ online: OnlineFact; findings: Finding[] }>>,
): Promise<TargetReport> {
  const url = new URL(target.url);
  const host = recogniseCodeCommitHost(url.host);
  if (!host) throw new Error(`not a CodeCommit host: ${url.host}`); // callers filter first
  const findings: Finding[] = [];
  const report: TargetReport = {
    url: target.url,
    remote: target.remote,
    host: host.hostname,
    region: host.region,
    endpointKind: host.kind,
    china: host.china,
    helpers: [],
    useHttpPath: { value: false, file: null, line: null, key: null },
    profile: null,
    credentials: null,
    online: null,
    gui: null,
    findings,
  };
  if (url.protocol !== 'https:') {
    findings.push(finding('error', 'not-https', `${target.url} is not HTTPS: CodeCommit's git endpoints are HTTPS only, and cc-helper signs nothing else`, `git remote set-url ${target.remote ?? 'origin'} https://${url.host}${url.pathname}`));
  }
  const { helpers, useHttpPath } = await credentialConfigFor(entries, target.url, input.ctx);
  report.helpers = helpers;
  report.useHttpPath = useHttpPath;
  const pattern = `https://${host.hostname.replace(/^git-codecommit(-fips)?\.[^.]+\./, 'git-codecommit$1.*.')}`;
  findings.push(...helperFindings(helpers, pattern));
  if (!useHttpPath.value) {
    findings.push(
      finding(
        'error',
        'no-use-http-path',
        `useHttpPath is ${useHttpPath.key ? `off (${where(useHttpPath.file, useHttpPath.line)})` : 'not set'} for this URL: git sends no repository path, and the signature must cover it`,
        `git config --global credential.${pattern}.useHttpPath true (or: cc-helper setup --profile NAME)`,
      ),
    );
  }

  const ccHelper = helpers.find((h) => h.runs && h.kind === 'cc-helper');
  if (!ccHelper) return report;
  findings.push(...launchFindings(ccHelper));
  const options = helperLineOptions(ccHelper.value);
  const ambient = options.credentials === 'ambient';
  const profile: ProfileFact = {
    name: null,
    reason: null,
    allowDefault: options.allowDefault,
    helperValue: ccHelper.value,
    credentialsMode: ambient ? 'ambient' : 'profile',
    account: options.account ?? null,
  };
  report.profile = profile;
  const env = input.ctx.env;
  if (ambient) {
    const { ambientFacts } = await import('./ambient-facts.js');
    const facts = await ambientFacts({ account: profile.account, region: host.region, env, now: input.now(), online: input.online, trace: input.trace });
    report.credentials = facts.credentials;
    findings.push(...facts.findings);
    return report;
  }
  try {
    const choice = chooseProfile({ flag: options.profile, env, allowDefault: options.allowDefault });
    profile.name = choice.name;
    profile.reason = choice.reason;
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    findings.push(finding('error', 'no-profile', error.message, 'cc-helper setup --profile NAME'));
    return report;
  }
  const name = profile.name;
  const creds = credentialFacts(name, env, input.now(), options.allowDefault);
  report.credentials = creds.credentials;
  findings.push(...creds.findings);

  if (input.online) {
    if (creds.credentials.kind === 'missing' || creds.credentials.expired) {
      report.online = { account: null, arn: null, serverDate: null, clockSkewSeconds: null, error: 'not checked: no current credentials (start a session first)' };
    } else {
      const key = `${name}\0${host.region}`;
      let pending = onlineCache.get(key);
      if (!pending) {
        pending = onlineCheck(name, host.region, { env, now: input.now, trace: input.trace, allowDefault: options.allowDefault });
        onlineCache.set(key, pending);
      }
      const result = await pending;
      report.online = result.online;
      findings.push(...result.findings);
    }
  }
  // Only when nothing above already stops a push: then this says whether it also works from an app.
  if (!findings.some((f) => f.severity === 'error')) {
    report.gui = await probeLikeGui(target.url, input.ctx);
    if (report.gui && !report.gui.ok) {
      const shellOnly = report.gui.shellOnly.length ? ` (your shell sets ${report.gui.shellOnly.join(', ')}, which apps started from the desktop do not see)` : '';
      findings.push(
        // A warning: from the shell the push may well work; the text verdict says which.
        finding(
          'warning',
          'gui-git-fails',
          `git started the way a GUI client or IDE starts it (PATH=/usr/bin:/bin, no terminal, no askpass) got no password for this URL: ${report.gui.detail}${shellOnly}`,
          /not a git command|not found|No such file/.test(report.gui.detail) ? 'cc-helper setup --profile NAME (again, for that scope): it writes a helper line with absolute paths' : null,
        ),
      );
    }
  }
  return report;
}

/** Whether git can start the cc-helper line without the shell's PATH, and whether what it names still exists. */
export function launchFindings(helper: HelperFact): Finding[] {
  const at = where(helper.file, helper.line);
  const rerun = 'cc-helper setup --profile NAME again for that scope (cc-helper setup --list shows them): it writes the current paths';
  const programs = helperPrograms(helper.value);
  if (programs.length === 0) {
    return [finding('warning', 'helper-needs-path', `the cc-helper line (${at}) is found through PATH (\`${helper.value}\`): git started by a GUI client or IDE, without your shell's PATH, cannot run it`, rerun)];
  }
  const missing = programs.filter((p) => !existsSync(p));
  return missing.map((p) =>
    finding('error', 'helper-program-missing', `the cc-helper line (${at}) runs ${p}, which no longer exists (Node or cc-helper moved: an nvm upgrade, a reinstall)`, rerun),
  );
}

/** What the helper chain means for a CodeCommit URL. */
export function helperFindings(helpers: readonly HelperFact[], pattern: string): Finding[] {
  const findings: Finding[] = [];
  const running = helpers.filter((h) => h.runs);
  const ccIndex = running.findIndex((h) => h.kind === 'cc-helper');
  const setupFix = 'cc-helper setup --profile NAME (its block starts with `helper =`, which resets the helpers before it)';
  if (running.length === 0) {
    findings.push(finding('error', 'no-helper', 'git runs no credential helper for this URL: it would ask for a user name and password', setupFix));
    return findings;
  }
  if (ccIndex < 0) {
    const aws = running.find((h) => h.kind === 'aws-cli');
    findings.push(
      aws
        ? finding('warning', 'aws-cli-helper', `the AWS CLI's helper answers for this URL (${where(aws.file, aws.line)}), not cc-helper`, 'cc-helper setup --profile NAME --replace-aws-cli')
        : finding('error', 'no-cc-helper', 'no cc-helper line runs for this URL: git cannot get a CodeCommit password', setupFix),
    );
  }
  running.forEach((h, i) => {
    if (h.kind === 'storage') {
      const before = ccIndex < 0 || i < ccIndex;
      findings.push(
        finding(
          before ? 'error' : 'warning',
          'storage-helper',
          before
            ? `storage helper "${h.value}" (${where(h.file, h.line)}) runs ${ccIndex < 0 ? 'for this URL' : 'before cc-helper'}: it answers with any CodeCommit password it kept, which CodeCommit refuses once stale (with 403, so git never erases it)`
            : `storage helper "${h.value}" (${where(h.file, h.line)}) runs after cc-helper: git sends it every CodeCommit password to keep`,
          before
            ? `reset it for CodeCommit URLs: put \`helper =\` before the cc-helper line in [credential "${pattern}"], or run ${setupFix}`
            : `take it out of the section that applies after cc-helper (${where(h.file, h.line)}); a \`helper =\` reset only clears helpers before it`,
        ),
      );
    } else if (h.kind === 'other' && ccIndex >= 0 && i < ccIndex) {
      findings.push(finding('warning', 'helper-before-cc-helper', `helper "${h.value}" (${where(h.file, h.line)}) runs before cc-helper and may answer first`, setupFix));
    }
  });
  for (const h of helpers) {
    if (!h.runs && h.kind === 'storage') {
      findings.push(finding('info', 'storage-helper-reset', `storage helper "${h.value}" (${where(h.file, h.line)}) is reset by a later \`helper =\` for this URL: it neither serves nor keeps CodeCommit passwords`));
    }
  }
  return findings;
}


/** The CodeCommit URLs of a repository's remotes (fetch and push, after insteadOf rewriting). */
export async function repositoryTargets(ctx: GitContext): Promise<{ targets: DoctorTarget[]; skipped: SkippedRemote[] }> {
  const names = (await runGit(['remote'], ctx)).stdout.split('\n').filter(Boolean);
  const targets: DoctorTarget[] = [];
  const skipped: SkippedRemote[] = [];
  for (const remote of names) {
    const seen = new Set<string>();
    for (const args of [['remote', 'get-url', '--all', remote], ['remote', 'get-url', '--push', '--all', remote]]) {
      for (const raw of (await runGit(args, ctx)).stdout.split('\n').filter(Boolean)) {
        const url = Buffer.from(raw, 'latin1').toString('utf8');
        const checked = classifyUrl(url);
        if (seen.has(checked.url)) continue;
        seen.add(checked.url);
        if (checked.codecommit) targets.push({ url: checked.url, remote });
        else skipped.push({ remote, url: checked.url, reason: (await dropInReason(url, ctx)) ?? checked.reason });
      }
    }
  }
  return { targets, skipped };
}

/**
 * For a git-remote-codecommit URL: what cc-helper's drop-in does with it here, worked out as the
 * drop-in works it out (the same profile rules, and the same pin from the same mapping files).
 */
async function dropInReason(url: string, ctx: GitContext): Promise<string | undefined> {
  const [{ grcPartOfRemoteUrl, parseGrcUrl }, { resolveGrcTarget }, { pinForRepositoryLine }] = await Promise.all([
    import('../codecommit-remote/codecommit-url.js'),
    import('../codecommit-remote/remote-target.js'),
    import('../setup/mapping-pins.js'),
  ]);
  const grc = grcPartOfRemoteUrl(url);
  if (grc === undefined) return undefined;
  try {
    const target = resolveGrcTarget(parseGrcUrl(grc), ctx.env);
    const pin = await pinForRepositoryLine(target.profile, target.httpsUrl, ctx);
    return (
      `a git-remote-codecommit URL: cc-helper's git-remote-codecommit signs it as ${target.httpsUrl} with profile ${target.profile}` +
      `${pin ? `, pinned to account ${pin.account} (${pin.from})` : ''}; \`cc-helper migrate\` moves it to https`
    );
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return `a git-remote-codecommit URL that cc-helper's git-remote-codecommit refuses here: ${error.message}`;
  }
}

/** A URL without user info; whether it names a CodeCommit host over http(s). */
export function classifyUrl(text: string): { url: string; codecommit: true } | { url: string; codecommit: false; reason: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // Not a URL (an scp-style SSH remote, or a mistyped one): shown without what could be a password.
    return { url: text.includes('://') ? redactUrl(text) : text.replace(/^[^@/]*@/, ''), codecommit: false, reason: 'not an http(s) URL (SSH remotes do not use credential helpers)' };
  }
  url.username = '';
  url.password = '';
  const clean = url.toString();
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { url: clean, codecommit: false, reason: `${url.protocol.slice(0, -1)} remotes do not use credential helpers` };
  if (!recogniseCodeCommitHost(url.host)) return { url: clean, codecommit: false, reason: 'not a CodeCommit host' };
  return { url: clean, codecommit: true };
}

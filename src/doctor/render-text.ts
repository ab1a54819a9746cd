// `cc-helper doctor` for people: per URL, the helper chain with files and lines, the settings,
// profile and credentials, then the problems with what to do, and a verdict.
import { where, type DoctorReport, type Finding, type HelperFact, type SignInFact, type TargetReport } from './report.js';

export function renderText(report: DoctorReport): string {
  const out: string[] = [];
  if (report.repository) out.push(`repository ${report.repository}`);
  for (const target of report.targets) out.push(...renderTarget(target, report.online), '');
  for (const s of report.skippedRemotes) out.push(`skipped remote ${s.remote} ${s.url}: ${s.reason}`);
  const d = report.defaultProfile;
  // With keys, the default-has-keys finding below says it (once), with what they look like.
  if (!d.hasKeys) out.push('[default]: no keys');
  out.push(...renderFindings(report.findings, ''));
  const errors = [...report.findings, ...report.targets.flatMap((t) => t.findings)].filter((f) => f.severity === 'error').length;
  const guiFails = report.targets.some((t) => t.gui && !t.gui.ok);
  out.push(report.ok ? `result: a push would work${guiFails ? ' from this shell, but not from a GUI client or IDE (see above)' : ''}` : `result: ${errors} problem${errors === 1 ? '' : 's'} would stop a push`);
  return out.join('\n') + '\n';
}

function renderTarget(t: TargetReport, online: boolean): string[] {
  const out = [`${t.url}${t.remote ? ` (remote ${t.remote})` : ''}`];
  out.push(`  region: ${t.region} (${t.endpointKind}${t.china ? ', China' : ''} endpoint)`);
  if (t.helpers.length === 0) out.push('  credential helpers: none apply to this URL');
  else out.push('  credential helpers for this URL, in git\'s order (git runs those marked "runs"):');
  for (const h of t.helpers) out.push(`    ${h.kind === 'reset' ? 'reset  ' : h.runs ? 'runs   ' : 'cleared'} ${helperLine(h)}`);
  out.push(`  useHttpPath: ${t.useHttpPath.value ? 'on' : 'off'}${t.useHttpPath.key ? ` (${where(t.useHttpPath.file, t.useHttpPath.line)})` : ' (not set)'}`);
  if (t.profile?.credentialsMode === 'ambient') {
    out.push(`  credentials mode: ambient (--credentials ambient; never the shared files), pinned to account ${t.profile.account ?? '(none: refused)'}`);
  } else if (t.profile) {
    out.push(`  profile: ${t.profile.name ? `${t.profile.name} (from ${t.profile.reason === '--profile' ? '--profile on the helper line' : 'AWS_PROFILE'})` : 'none'}`);
  }
  const c = t.credentials;
  if (c) {
    const expiry = c.expiresAt ? `${c.expired ? 'expired' : 'expires'} ${c.expiresAt}${c.expired ? '' : ` (${c.minutesLeft} min left)`}` : 'no expiry known';
    out.push(`  credentials: ${c.kind}${c.accessKeyId ? `, key ${c.accessKeyId}` : ''}${c.file ? ` in ${c.file}` : ''}; ${expiry}${c.renewal ? `; renewed by ${c.renewal}` : ''}`);
    out.push(`    ${c.detail}`);
    if (c.signIn) out.push(`    sign-in: ${signInLine(c.signIn)}`);
  }
  if (online && t.online) {
    const o = t.online;
    if (o.account) out.push(`  STS: account ${o.account}, ${o.arn}`);
    if (o.error) out.push(`  STS: ${o.error}`);
    if (o.clockSkewSeconds !== null) out.push(`  clock: ${o.clockSkewSeconds >= 0 ? '+' : ''}${o.clockSkewSeconds} s from STS's (Date: ${o.serverDate})`);
  }
  if (t.gui) out.push(`  from a GUI client or IDE (${t.gui.git}, PATH=/usr/bin:/bin, no terminal): ${t.gui.ok ? t.gui.detail : 'no password'}`);
  out.push(...renderFindings(t.findings, '  '));
  return out;
}

function signInLine(s: SignInFact): string {
  const what = `${s.kind === 'sso' ? 'SSO login' : '`aws login`'}${s.file ? ` in ${s.file}` : ''}${s.profile ? ` (profile ${s.profile})` : ''}`;
  const state =
    s.state === 'missing' ? `none: run \`${s.command}\``
    : s.state === 'unusable' ? `not usable: run \`${s.command}\``
    : s.state === 'ended' ? `ended at ${s.expiresAt}, not refreshable: run \`${s.command}\``
    : s.refreshable ? `${s.state === 'refreshes' ? 'due for refresh' : 'valid'} (current ${s.kind === 'sso' ? 'token' : 'credentials'} until ${s.expiresAt}); cc-helper refreshes it while the session lasts`
    : `valid until ${s.expiresAt}, not refreshable: run \`${s.command}\` then`;
  return `${what}: ${state}`;
}

function helperLine(h: HelperFact): string {
  return `${h.value === '' ? 'helper =' : h.value}  [${h.kind === 'reset' ? '' : h.kind + ', '}${h.scope}] ${where(h.file, h.line)}`;
}

function renderFindings(findings: readonly Finding[], indent: string): string[] {
  const out: string[] = [];
  for (const f of findings) {
    out.push(`${indent}${f.severity}: ${f.message}`);
    if (f.fix) out.push(`${indent}  fix: ${f.fix}`);
  }
  return out;
}

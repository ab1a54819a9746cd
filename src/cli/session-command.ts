// `cc-helper session start|stop|list|prune`: a vault-backed profile's short-lived credentials,
// as other tools see them in the credentials file under the same profile name.
import { existsSync } from 'node:fs';
import { flag, type CommandSpec, type ParsedArgs } from './args.js';
import type { CliCommand } from './command.js';
import type { CommandIo } from './vault-command.js';
import { listSessionSections, pruneExpiredSessionSections, readProfileSection, replaceProfileSection, SESSION_MARKER_KEY } from '../aws-files/credentials-file-editor.js';
import { checkProfileName } from '../aws-files/profile-choice.js';
import { sharedFilePaths } from '../aws-files/shared-files.js';
import { activateOnDemand } from '../sessions/on-demand.js';
import { readSessionDefinitions, type SessionDefinition } from '../sessions/session-definitions.js';
import { UsageError, UserError } from '../support/errors.js';
import { Leapp, leappCredentialsFile } from '../vault/leapp.js';
import { profileArgument } from '../support/shell-word.js';

const profileArg = { min: 0, max: 1, label: 'one profile name' };

const spec: CommandSpec = {
  name: 'session',
  summary: "a vault-backed profile's short-lived credentials: start, stop, list, prune",
  actions: {
    start: { args: profileArg, flags: ['force'] },
    stop: { args: profileArg },
    list: {},
    prune: {},
  },
  usage: `usage: cc-helper session start [PROFILE] [--force]
       cc-helper session stop [PROFILE]
       cc-helper session list
       cc-helper session prune

  start   activate a session now (asks for the MFA code here, not in git)
  stop    remove the session's credentials from the credentials file (or stop Leapp's session)
  list    each vault-backed profile's state and minutes left
  prune   remove expired sections cc-helper wrote, nothing else
PROFILE defaults to AWS_PROFILE. The session lands in the profile's own section of
~/.aws/credentials, so the AWS CLI and SDKs see it under the same name.

options:
  --force   start: a new session even if the current one is still valid

examples:
  cc-helper session start CodeCommitProfile
  AWS_PROFILE=CodeCommitProfile cc-helper session stop

exit status: 0 done; 1 failed (one line on stderr says why); 2 bad usage
`,
};

export const command: CliCommand = { spec, run: (parsed, context) => runSession(parsed, context) };

export async function runSession(parsed: ParsedArgs, io: CommandIo): Promise<number> {
  // parseCommand checked the action, its options and that at most one profile is given.
  const [action, name] = parsed.rest;
  switch (action) {
    case 'start': {
      const cached = await startCachedProfile(name, io);
      return cached ?? start(definitionFor(name, 'start', io), flag(parsed, 'force'), io);
    }
    case 'stop':
      return stop(definitionFor(name, 'stop', io), io);
    case 'list':
      return list(io);
    case 'prune':
      return prune(io);
    default:
      throw new Error(`session action "${action}" has no handler`);
  }
}

function definitionFor(name: string | undefined, action: 'start' | 'stop', io: CommandIo): SessionDefinition {
  const profile = name ?? io.env.AWS_PROFILE;
  if (!profile) throw new UsageError(`which profile? cc-helper session ${action} PROFILE (or set AWS_PROFILE)`);
  checkProfileName(profile);
  const definition = readSessionDefinitions(io.env)[profile];
  if (!definition) throw new UserError(`profile "${profile}" is not vault-backed: add it with \`cc-helper vault add ${profileArgument(profile)}\``);
  return definition;
}

/**
 * Role and SSO profiles that are not vault-backed keep their sessions in the AWS CLI's cache:
 * `session start` fills it here, in a terminal, so git's later gets need no prompt.
 */
async function startCachedProfile(name: string | undefined, io: CommandIo): Promise<number | undefined> {
  const profile = name ?? io.env.AWS_PROFILE;
  if (!profile) return undefined;
  checkProfileName(profile);
  if (readSessionDefinitions(io.env)[profile]) return undefined;
  const { loadProfileCredentials } = await import('../credentials/profile-credentials.js');
  const { readProfile } = await import('../aws-files/profile.js');
  const { isSourceProfileRole, sessionKind } = await import('../aws-files/profile-kind.js');
  const data = readProfile(profile, io.env);
  const kind = sessionKind(data);
  if (!(kind === 'sso' || (kind === 'role' && isSourceProfileRole(data.values)))) return undefined;
  const { credentials } = await loadProfileCredentials(profile, { env: io.env, now: io.now(), trace: io.trace });
  const left = credentials.expiration ? ` until ${credentials.expiration.toISOString()} (${minutesLeft(credentials.expiration, io.now())} min left)` : '';
  io.stdout(`session for ${profile} is active${left}, cached in ~/.aws/cli/cache where the AWS CLI uses it too\n`);
  return 0;
}

async function start(definition: SessionDefinition, force: boolean, io: CommandIo): Promise<number> {
  const credentials = await activateOnDemand(definition, { env: io.env, now: io.now, trace: io.trace }, force);
  const left = credentials.expiration ? ` until ${credentials.expiration.toISOString()} (${minutesLeft(credentials.expiration, io.now())} min left)` : '';
  io.stdout(`session for ${definition.profile} is active${left}\n`);
  return 0;
}

async function stop(definition: SessionDefinition, io: CommandIo): Promise<number> {
  const { profile } = definition;
  if ('leapp' in definition.source) {
    const stopped = await new Leapp({ env: io.env, trace: io.trace }).stop(profile);
    io.stdout(stopped ? `stopped the Leapp session for ${profile}\n` : `the Leapp session for ${profile} was not running\n`);
    return 0;
  }
  const file = sharedFilePaths(io.env).credentialsFile;
  const section = await readProfileSection(file, profile);
  if (!section) {
    io.stdout(`no session for ${profile} in ${file}\n`);
    return 0;
  }
  if (section[SESSION_MARKER_KEY] === undefined) {
    throw new UserError(`[${profile}] in ${file} was not written by cc-helper: not touching it (remove it yourself if it should go)`);
  }
  await replaceProfileSection(file, profile, undefined, { trace: io.trace });
  io.stdout(`stopped the session for ${profile}: its section is gone from ${file}\n`);
  return 0;
}

async function list(io: CommandIo): Promise<number> {
  const now = io.now();
  const definitions = readSessionDefinitions(io.env);
  const file = sharedFilePaths(io.env).credentialsFile;
  const sections = new Map((await listSessionSections(file, now)).map((s) => [s.profile, s]));
  const names = [...new Set([...Object.keys(definitions), ...sections.keys()])].sort();
  if (names.length === 0) {
    io.stdout('no sessions: add a vault-backed profile with `cc-helper vault add PROFILE`\n');
    return 0;
  }
  for (const name of names) {
    const definition = definitions[name];
    let state: string;
    if (definition && 'leapp' in definition.source) {
      state = (await readProfileSection(leappCredentialsFile(io.env), name)) ? 'active (Leapp)' : 'inactive (Leapp)';
    } else {
      const section = sections.get(name);
      if (!section) state = 'inactive';
      else if (section.expired) state = `expired at ${section.expiresAt!.toISOString()} (cc-helper session prune removes it)`;
      else if (section.expiresAt) state = `active, ${minutesLeft(section.expiresAt, now)} min left (until ${section.expiresAt.toISOString()})`;
      else state = 'active, expiry unknown';
    }
    io.stdout(`${name}: ${state}${definition ? '' : ' — no longer vault-backed'}\n`);
  }
  return 0;
}

async function prune(io: CommandIo): Promise<number> {
  const file = sharedFilePaths(io.env).credentialsFile;
  // No file, nothing to prune: the editor would make ~/.aws for its lock.
  const removed = existsSync(file) ? await pruneExpiredSessionSections(file, { now: io.now(), trace: io.trace }) : [];
  io.stdout(removed.length ? `removed expired sessions: ${removed.join(', ')}\n` : 'no expired sessions written by cc-helper\n');
  return 0;
}

function minutesLeft(expiration: Date, now: Date): number {
  return Math.max(0, Math.floor((expiration.getTime() - now.getTime()) / 60_000));
}

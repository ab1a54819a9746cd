// `cc-helper vault add|list|remove`: the long-term secret behind a profile, and how its
// sessions are made. Secrets come from the terminal (hidden) or stdin, never from argv.
import { lastOption, type CommandSpec, type ParsedArgs } from './args.js';
import type { CliCommand, CommandContext } from './command.js';
import { checkSectionName } from '../aws-files/credentials-file-editor.js';
import { checkProfileName } from '../aws-files/profile-choice.js';
import { createAsk } from '../prompt/ask.js';
import {
  DEFAULT_SESSION_SECONDS,
  DEFAULT_STS_REGION,
  readSessionDefinitions,
  writeSessionDefinition,
  type SessionDefinition,
  type SessionSource,
} from '../sessions/session-definitions.js';
import { UsageError, UserError } from '../support/errors.js';
import { isVaultKind, openVault } from '../vault/open-vault.js';
import type { VaultKind } from '../vault/vault.js';
import { profileArgument } from '../support/shell-word.js';
import { isAccessKeyId } from '../support/credential-text.js';

const profileArg = { min: 1, max: 1, label: 'one profile name' };

const spec: CommandSpec = {
  name: 'vault',
  summary: "keep a profile's long-term key in a vault: add, list, remove, rotate",
  actions: {
    add: { args: profileArg, valued: ['backend', 'role-arn', 'external-id', 'mfa-serial', 'duration', 'region', 'source-profile'] },
    list: { valued: ['max-key-age-days'] },
    remove: { args: profileArg },
    rotate: { args: profileArg },
  },
  usage: `usage: cc-helper vault add PROFILE [--backend file|keyring|leapp] [--role-arn ARN [--external-id ID]]
                     [--source-profile NAME] [--mfa-serial ARN] [--duration 1h] [--region REGION]
       cc-helper vault list [--max-key-age-days N]
       cc-helper vault remove PROFILE
       cc-helper vault rotate PROFILE

  add      keep PROFILE's long-term access key in a vault (asked for on the terminal, the secret
           hidden, or read as two lines "key id" and "secret" from stdin; never from argv); git
           pushes then activate short-lived sessions on demand
  list     profiles, backends and key ages (no secrets); warns about keys older than N days (90)
  remove   forget PROFILE's key and session definition
  rotate   replace the IAM user's access key: create a new key, store it, prove it with STS,
           delete the old one; on any failure the vault keeps a working key

options for add:
  --backend file|keyring|leapp  where the key lives: an encrypted file (default), the OS keyring,
                                or nowhere (Leapp starts the session)
  --role-arn ARN                sessions assume this role (AssumeRole), else GetSessionToken
  --external-id ID              the role's external id
  --source-profile NAME         assume the role with that profile's credentials, not a vault key
  --mfa-serial ARN              the MFA device: a code is asked for, or CC_HELPER_MFA_COMMAND
                                prints it (it gets the ARN in CC_HELPER_MFA_SERIAL)
  --duration 1h                 session length: seconds, or 90m, 12h (15 min to 36 h)
  --region REGION               the STS region (else AWS_REGION, else us-east-1)

examples:
  printf '%s\\n%s\\n' "$KEY_ID" "$SECRET" | cc-helper vault add CodeCommitProfile --mfa-serial arn:aws:iam::111122223333:mfa/me
  cc-helper vault add CodeCommitProfile --role-arn arn:aws:iam::444455556666:role/Push
  cc-helper vault list --max-key-age-days 30

exit status: 0 done; 1 failed (the vault is unchanged); 2 bad usage
`,
};

export const command: CliCommand = { spec, run: (parsed, context) => runVault(parsed, context) };

/** What the vault and session commands use of the entry's context. */
export type CommandIo = Pick<CommandContext, 'stdout' | 'env' | 'trace' | 'now' | 'readStdin' | 'stdinIsTerminal'>;

export async function runVault(parsed: ParsedArgs, io: CommandIo): Promise<number> {
  // parseCommand checked the action, its options and that a profile comes where one is needed.
  const [action, profile] = parsed.rest;
  switch (action) {
    case 'add':
      return vaultAdd(requireProfile(profile, 'add'), parsed, io);
    case 'list':
      return vaultList(parsed, io);
    case 'remove':
      return vaultRemove(requireProfile(profile, 'remove'), io);
    case 'rotate':
      return vaultRotate(requireProfile(profile, 'rotate'), io);
    default:
      throw new Error(`vault action "${action}" has no handler`);
  }
}

function requireProfile(profile: string | undefined, action: string): string {
  if (!profile) throw new UsageError(`vault ${action} needs a profile name: cc-helper vault ${action} PROFILE`);
  checkProfileName(profile);
  if (profile === 'default') throw new UserError('cc-helper does not manage the "default" profile (it may be a canary): choose a dedicated profile name');
  return profile;
}

async function vaultAdd(profile: string, parsed: ParsedArgs, io: CommandIo): Promise<number> {
  // Its sessions go into the credentials file as [profile]: refuse a name that cannot be one before anything is stored.
  checkSectionName(profile);
  const backend = lastOption(parsed, 'backend') ?? 'file';
  if (backend !== 'leapp' && !isVaultKind(backend)) throw new UsageError(`unknown backend "${backend.slice(0, 20)}": use file, keyring or leapp`);
  const sourceProfile = lastOption(parsed, 'source-profile');
  const roleArn = lastOption(parsed, 'role-arn');
  if (roleArn && !/^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@\/-]+$/.test(roleArn)) {
    throw new UsageError(`--role-arn "${roleArn.slice(0, 80)}" is not a role ARN (arn:aws:iam::123456789012:role/Name)`);
  }
  if (sourceProfile && !roleArn) throw new UsageError('--source-profile needs --role-arn: the session assumes that role with the source profile’s credentials');
  if (sourceProfile) checkProfileName(sourceProfile);
  const mfaSerial = lastOption(parsed, 'mfa-serial');
  if (mfaSerial && !/^(arn:aws[\w-]*:iam::\d{12}:(mfa|u2f)\/[\w+=,.@\/-]+|GAHT[A-Z0-9]+)$/.test(mfaSerial)) {
    throw new UsageError(`--mfa-serial "${mfaSerial.slice(0, 80)}" is not an MFA device ARN (arn:aws:iam::123456789012:mfa/name)`);
  }

  let source: SessionSource;
  let stored = '';
  if (backend === 'leapp') {
    source = { leapp: true };
  } else if (sourceProfile) {
    source = { profile: sourceProfile };
  } else {
    const kind: VaultKind = backend;
    const { accessKeyId, secretAccessKey } = await readKey(profile, io);
    const vault = await openVault(kind, { env: io.env, trace: io.trace });
    await vault.put(profile, { accessKeyId, secretAccessKey, createdAt: io.now().toISOString() });
    source = { vault: kind, item: profile };
    stored = ` in the ${kind} vault (${vault.location})`;
  }
  const definition: SessionDefinition = {
    profile,
    source,
    durationSeconds: parseDuration(lastOption(parsed, 'duration')),
    region: lastOption(parsed, 'region') ?? io.env.AWS_REGION ?? DEFAULT_STS_REGION,
  };
  if (roleArn) definition.roleArn = roleArn;
  const externalId = lastOption(parsed, 'external-id');
  if (externalId) definition.externalId = externalId;
  if (mfaSerial) definition.mfaSerial = mfaSerial;
  await writeSessionDefinition(profile, definition, io.env);
  io.stdout(
    `profile ${profile}: ${describeSource(definition)}${stored}; ` +
      `git asks for a session when it needs one, or run \`cc-helper session start ${profileArgument(profile)}\`\n`,
  );
  return 0;
}

/** The key: from stdin as two lines when piped, else asked on the terminal (secret hidden). */
async function readKey(profile: string, io: CommandIo): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  let accessKeyId: string;
  let secretAccessKey: string;
  if (!io.stdinIsTerminal) {
    const [id = '', secret = ''] = (await io.readStdin()).split(/\r?\n/).map((l) => l.trim());
    accessKeyId = id;
    secretAccessKey = secret;
  } else {
    const hint = 'pipe the key id and secret on stdin instead (two lines)';
    accessKeyId = (await createAsk({ env: io.env, fallbackHint: hint })(`Access key id for ${profile}: `)).trim();
    secretAccessKey = (await createAsk({ env: io.env, fallbackHint: hint, hidden: true })(`Secret access key for ${profile}: `)).trim();
  }
  if (!isAccessKeyId(accessKeyId)) throw new UserError('that access key id does not look like one (AKIA... letters and digits); nothing was stored');
  if (accessKeyId.startsWith('ASIA')) throw new UserError('that is a temporary key (ASIA...): the vault holds long-term keys (AKIA...); nothing was stored');
  if (secretAccessKey.length < 16 || /\s/.test(secretAccessKey)) throw new UserError('that secret access key does not look like one; nothing was stored');
  return { accessKeyId, secretAccessKey };
}

export function describeSource(definition: SessionDefinition): string {
  const { source } = definition;
  const via = definition.roleArn ? `AssumeRole ${definition.roleArn}` : 'GetSessionToken';
  const mfa = definition.mfaSerial ? ` with MFA ${definition.mfaSerial}` : '';
  if ('leapp' in source) return 'sessions from Leapp';
  if ('profile' in source) return `${via} with profile ${source.profile}'s credentials${mfa}`;
  return `${via} with its long-term key${mfa}`;
}

async function vaultList(parsed: ParsedArgs, io: CommandIo): Promise<number> {
  const maxAgeText = lastOption(parsed, 'max-key-age-days') ?? '90';
  if (!/^\d{1,5}$/.test(maxAgeText)) throw new UsageError(`--max-key-age-days "${maxAgeText.slice(0, 20)}" is not a number of days`);
  const maxAgeDays = Number(maxAgeText);
  const definitions = Object.values(readSessionDefinitions(io.env));
  if (definitions.length === 0) {
    io.stdout('no vault-backed profiles: add one with `cc-helper vault add PROFILE`\n');
    return 0;
  }
  const listings = new Map<VaultKind, Map<string, { accessKeyIdMasked: string; createdAt: string }>>();
  for (const kind of new Set(definitions.flatMap((d) => ('vault' in d.source ? [d.source.vault] : [])))) {
    const vault = await openVault(kind, { env: io.env, trace: io.trace });
    listings.set(kind, new Map((await vault.list()).map((l) => [l.name, l])));
  }
  for (const definition of definitions.sort((a, b) => a.profile.localeCompare(b.profile))) {
    const { source } = definition;
    let key = '';
    if ('vault' in source) {
      const listing = listings.get(source.vault)?.get(source.item);
      if (!listing) key = `  MISSING from the ${source.vault} vault`;
      else {
        const days = Math.floor((io.now().getTime() - Date.parse(listing.createdAt)) / 86_400_000);
        key = `  key ${listing.accessKeyIdMasked} (${source.vault}), ${days} days old${days > maxAgeDays ? ` — older than ${maxAgeDays} days: rotate it` : ''}`;
      }
    }
    io.stdout(`${definition.profile}: ${describeSource(definition)}, ${definition.durationSeconds / 60} min sessions${key}\n`);
  }
  return 0;
}

async function vaultRemove(profile: string, io: CommandIo): Promise<number> {
  const definition = readSessionDefinitions(io.env)[profile];
  if (!definition) throw new UserError(`profile "${profile}" is not vault-backed: see \`cc-helper vault list\``);
  if ('vault' in definition.source) {
    const vault = await openVault(definition.source.vault, { env: io.env, trace: io.trace });
    await vault.remove(definition.source.item);
  }
  await writeSessionDefinition(profile, undefined, io.env);
  io.stdout(`removed profile ${profile} from the vault; an active session stays until it expires (\`cc-helper session stop ${profileArgument(profile)}\` ends it now)\n`);
  return 0;
}

async function vaultRotate(profile: string, io: CommandIo): Promise<number> {
  const definition = readSessionDefinitions(io.env)[profile];
  if (!definition) throw new UserError(`profile "${profile}" is not vault-backed: see \`cc-helper vault list\``);
  const { source } = definition;
  if (!('vault' in source)) {
    throw new UserError(`profile "${profile}" takes its credentials from ${describeSource(definition)}, not from a key in the vault: rotate that key where it lives`);
  }
  const [{ rotateKey }, { createIamClient }, { createStsClient }] = await Promise.all([
    import('../vault/rotate-key.js'),
    import('../aws-clients/iam-client.js'),
    import('../aws-clients/sts-client.js'),
  ]);
  const vault = await openVault(source.vault, { env: io.env, trace: io.trace });
  const result = await rotateKey({
    vault,
    item: source.item,
    profile,
    // The profile's ca_bundle applies to these calls, as to its session's (the AWS CLI's rule).
    iam: (credentials) => createIamClient({ credentials, env: io.env, profile, now: io.now, trace: io.trace }),
    whoAmI: (credentials) => createStsClient({ region: definition.region, credentials, env: io.env, profile, now: io.now, trace: io.trace, maxAttempts: 2 }).getCallerIdentity(),
    now: io.now,
    progress: (line) => io.stdout(`${line}\n`),
  });
  io.stdout(`rotated profile ${profile}: the vault holds ${result.newAccessKeyId}; ${result.oldAccessKeyId} is deleted\n`);
  return 0;
}

/** `3600`, `90m`, `12h` -> seconds; STS allows 900..129600 (roles: up to their maximum). */
export function parseDuration(text: string | undefined): number {
  if (text === undefined) return DEFAULT_SESSION_SECONDS;
  const match = /^(\d+)([smh]?)$/.exec(text.trim());
  if (!match) throw new UsageError(`--duration "${text.slice(0, 20)}" is not a duration: use seconds, or e.g. 90m, 12h`);
  const seconds = Number(match[1]) * ({ '': 1, s: 1, m: 60, h: 3600 } as Record<string, number>)[match[2]!]!;
  if (seconds < 900 || seconds > 129_600) throw new UsageError(`--duration must be between 15 minutes and 36 hours (STS's limits), not ${seconds} s`);
  return seconds;
}

// How each vault-backed profile gets its short-lived credentials. Not secret: it names the
// vault item, role and MFA device, so `get` can decide to activate without unlocking anything.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { readBoundedText } from '../support/bounded-file.js';
import { ccHelperConfigDir } from '../support/config-dir.js';
import { UserError } from '../support/errors.js';
import { withFileLock } from '../support/file-lock.js';
import { nameRecord } from '../support/name-record.js';
import { writePrivateFileSync } from '../support/private-file.js';

export type SessionSource =
  /** Long-term keys of an IAM user, kept in a vault backend. */
  | { vault: 'file' | 'keyring'; item: string }
  /** Credentials of another named profile (e.g. an SSO or corporate profile). */
  | { profile: string }
  /** A Leapp session whose named profile is this profile. */
  | { leapp: true };

export interface SessionDefinition {
  profile: string;
  source: SessionSource;
  /** Present for role sessions: AssumeRole into the (code) account. Else GetSessionToken. */
  roleArn?: string;
  externalId?: string;
  mfaSerial?: string;
  durationSeconds: number;
  region: string;
}

export const DEFAULT_SESSION_SECONDS = 3600;
export const DEFAULT_STS_REGION = 'us-east-1';
/** A few hundred bytes a profile. */
const MAX_DEFINITIONS_BYTES = 4 * 1024 * 1024;

export function sessionDefinitionsFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(ccHelperConfigDir(env), 'sessions.json');
}

export function readSessionDefinitions(env: NodeJS.ProcessEnv = process.env): Record<string, SessionDefinition> {
  const file = sessionDefinitionsFile(env);
  // Which vault entry and role a profile's sessions use: trusted like cc-helper's other files.
  const read = readBoundedText(file, { maxBytes: MAX_DEFINITIONS_BYTES, trusted: { home: env.HOME } });
  if (read.status === 'missing') return nameRecord();
  if (read.status === 'refused') throw new UserError(`cannot use ${file}, which ${read.reason}: make it and its folders yours and writable by no one else`);
  const { text } = read;
  try {
    const parsed = JSON.parse(text) as { version?: number; sessions?: Record<string, SessionDefinition> };
    if (parsed.version !== 1 || typeof parsed.sessions !== 'object' || parsed.sessions === null) throw new Error('unknown layout');
    return nameRecord(parsed.sessions);
  } catch (error) {
    throw new UserError(`cannot parse ${file} (${(error as Error).message}): fix or remove it, then run \`cc-helper vault add\` again`);
  }
}

/**
 * What a session section's marker (x_cc_helper_session) says for this definition: the vault item,
 * or where the source credentials came from. A section carrying it was written by cc-helper.
 */
export function sessionMarkerFor(definition: SessionDefinition): string {
  const { source } = definition;
  if ('vault' in source) return markerText(source.item);
  if ('profile' in source) return `profile:${markerText(source.profile)}`;
  return 'leapp';
}

/**
 * A name as a credentials-file value that every reader gives back unchanged (the editor refuses
 * anything else: credentials-file-editor.ts, checkValues): `%`, `#`, `;`, quotes, `\`, control
 * characters and blanks at either end become %XX (their UTF-8 bytes). Names of letters, digits
 * and `_ . - + @ = , /` (every name cc-helper took before it took them all) stay as they are, so
 * markers written before still match.
 */
function markerText(name: string): string {
  // eslint-disable-next-line no-control-regex
  return name.replace(/[%#;\\"'\x00-\x1f\x7f-\x9f]|^\s|\s$/gu, (c) => [...Buffer.from(c, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''));
}

export function findSessionDefinition(profile: string, env: NodeJS.ProcessEnv = process.env): SessionDefinition | undefined {
  return readSessionDefinitions(env)[profile];
}

/** Replaces (or with undefined removes) one definition; temp file + rename, so never half-written. */
/**
 * Sets (or, with no definition, removes) one profile's definition. Read, change and replace run
 * under a lock, so two `vault add`s at once both land instead of the later one dropping the other.
 */
export async function writeSessionDefinition(profile: string, definition: SessionDefinition | undefined, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const file = sessionDefinitionsFile(env);
  mkdirSync(ccHelperConfigDir(env), { recursive: true, mode: 0o700 });
  await withFileLock(`${file}.lock`, () => {
    const sessions = readSessionDefinitions(env);
    if (definition) sessions[profile] = definition;
    else delete sessions[profile];
    writePrivateFileSync(file, JSON.stringify({ version: 1, sessions }, null, 2) + '\n');
  });
}

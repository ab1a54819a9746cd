// A named profile as botocore merges it (session.full_config): the config file's profile updated
// key by key with the credentials file's section, plus the two sections on their own (which one
// holds the keys decides botocore's step), and the `[sso-session NAME]` sections SSO profiles name.
// Reading only: which credentials the profile uses is credentials/profile-credentials.ts's.
import { configSectionProfile, configSectionSsoSession, emptyValues, mayNameProfile, type SectionValues } from './shared-file-parser.js';
import { readSharedFile } from './shared-file-reader.js';
import { sharedFilePaths } from './shared-files.js';

/** A profile as botocore sees it. */
export interface ProfileData {
  /** botocore's merged view: the config profile overlaid key by key by the credentials file's section. */
  values: SectionValues;
  /** The credentials file's `[NAME]` section (with that file's [DEFAULT] keys), if any. */
  credentialsSection: SectionValues | undefined;
  /** The config file's profile (`[profile NAME]`, or `[default]`), if any; the last one wins. */
  configSection: SectionValues | undefined;
  inCredentialsFile: boolean;
  inConfigFile: boolean;
  /** Whether the static keys come from the credentials file (its section has aws_access_key_id). */
  keysFromCredentialsFile: boolean;
  credentialsFile: string;
  configFile: string;
}

export function readProfile(name: string, env: NodeJS.ProcessEnv = process.env): ProfileData {
  const { credentialsFile, configFile } = sharedFilePaths(env);
  // Both files are checked whole (or known clean, see shared-file-reader.ts): the CLI refuses a
  // file with a bad line anywhere.
  const configSection = readConfigProfile(configFile, name, env);
  const credentialsSection = readSharedFile(credentialsFile, (section) => section === name, name, env)?.sections.get(name);
  const values = emptyValues();
  if (configSection) Object.assign(values, configSection);
  if (credentialsSection) Object.assign(values, credentialsSection);
  return {
    values,
    credentialsSection,
    configSection,
    inCredentialsFile: credentialsSection !== undefined,
    inConfigFile: configSection !== undefined,
    keysFromCredentialsFile: credentialsSection !== undefined && 'aws_access_key_id' in credentialsSection,
    credentialsFile,
    configFile,
  };
}

/** The config file's profile `name`: the last section that botocore maps to it. */
function readConfigProfile(file: string, name: string, env: NodeJS.ProcessEnv): SectionValues | undefined {
  const parsed = readSharedFile(file, (section) => mayNameProfile(section, name) && configSectionProfile(section) === name, name, env);
  if (!parsed || parsed.order.length === 0) return undefined;
  return parsed.sections.get(parsed.order[parsed.order.length - 1]!);
}

/**
 * The config file's `[sso-session NAME]` (header read as botocore reads it; the last one wins), or
 * undefined when the file has none. Shared by the own SSO path and the SDK hand-over.
 */
export function readSsoSession(name: string, configFile: string, env: NodeJS.ProcessEnv = process.env): SectionValues | undefined {
  const parsed = readSharedFile(configFile, (section) => configSectionSsoSession(section) === name, name, env);
  const header = parsed?.order[parsed.order.length - 1];
  return header === undefined ? undefined : parsed!.sections.get(header);
}

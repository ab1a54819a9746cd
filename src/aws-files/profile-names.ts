// The profile names the AWS CLI would offer (`aws configure list-profiles`), read with cc-helper's
// own reader of the shared files: every section of the credentials file, and the config file's
// `[profile NAME]` and `[default]` sections (botocore's build_profile_map), from the files
// AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE name. Only names: no value is ever kept.
import { configSectionProfile } from './shared-file-parser.js';
import { readSharedFile } from './shared-file-reader.js';
import { sharedFilePaths } from './shared-files.js';
import { UserError } from '../support/errors.js';

export interface ProfileNames {
  names: string[];
  /** Files the AWS CLI would refuse (a bad line anywhere): their profiles are not in `names`. */
  refused: string[];
}

/** Sorted, each name once. A file that is absent has no profiles; one the CLI refuses is listed in `refused`. */
export function listProfileNames(env: NodeJS.ProcessEnv = process.env): ProfileNames {
  const { credentialsFile, configFile } = sharedFilePaths(env);
  const names = new Set<string>();
  const refused: string[] = [];
  const collect = (file: string, name: (section: string) => string | undefined) => {
    const found: string[] = [];
    try {
      // The parser asks about every section (never [DEFAULT]); answering "not wanted" keeps it
      // from building any section's values.
      readSharedFile(file, (section) => {
        const profile = name(section);
        if (profile !== undefined) found.push(profile);
        return false;
      }, undefined, env);
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      refused.push(file);
      return;
    }
    for (const profile of found) names.add(profile);
  };
  collect(credentialsFile, (section) => section);
  collect(configFile, configSectionProfile);
  return { names: [...names].sort(), refused };
}

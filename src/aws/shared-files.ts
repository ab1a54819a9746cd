// Where the AWS shared credentials and config files live, as every AWS tool resolves them.
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface SharedFilePaths {
  credentialsFile: string;
  configFile: string;
}

export function sharedFilePaths(env: NodeJS.ProcessEnv = process.env): SharedFilePaths {
  const home = env.HOME || env.USERPROFILE || homedir();
  return {
    credentialsFile: expandHome(env.AWS_SHARED_CREDENTIALS_FILE, home) ?? join(home, '.aws', 'credentials'),
    configFile: expandHome(env.AWS_CONFIG_FILE, home) ?? join(home, '.aws', 'config'),
  };
}

function expandHome(path: string | undefined, home: string): string | undefined {
  if (!path) return undefined;
  return path === '~' || path.startsWith('~/') ? join(home, path.slice(1)) : path;
}

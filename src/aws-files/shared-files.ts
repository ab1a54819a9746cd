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
    credentialsFile: expandHome(env.AWS_SHARED_CREDENTIALS_FILE, home, env) ?? join(home, '.aws', 'credentials'),
    configFile: expandHome(env.AWS_CONFIG_FILE, home, env) ?? join(home, '.aws', 'config'),
  };
}

/** botocore expands `$VAR` and `${VAR}` (os.path.expandvars: unknown ones stay), then `~`. */
function expandHome(path: string | undefined, home: string, env: NodeJS.ProcessEnv): string | undefined {
  if (!path) return undefined;
  const expanded = path.includes('$') ? path.replace(/\$(\w+|\{[^}]*\})/g, (whole, name: string) => env[name.startsWith('{') ? name.slice(1, -1) : name] ?? whole) : path;
  return expanded === '~' || expanded.startsWith('~/') ? join(home, expanded.slice(1)) : expanded;
}

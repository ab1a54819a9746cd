// cc-helper's own files (vault, session definitions, setup's include files) live in one folder:
// $CC_HELPER_CONFIG_DIR, else $XDG_CONFIG_HOME/cc-helper, else ~/.config/cc-helper.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function ccHelperConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CC_HELPER_CONFIG_DIR) return env.CC_HELPER_CONFIG_DIR;
  if (env.XDG_CONFIG_HOME) return join(env.XDG_CONFIG_HOME, 'cc-helper');
  return join(env.HOME || homedir(), '.config', 'cc-helper');
}

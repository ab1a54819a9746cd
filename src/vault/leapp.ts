// Leapp as a session source (not a key store): the profile's session is the Leapp session whose
// named profile is this profile, and Leapp itself writes its credentials into
// ~/.aws/credentials (keys, token, region; no expiry) when it starts and removes them when it
// stops. We drive it through its CLI, always by session id: Leapp matches names as substrings.
//   leapp session list --output json -x           [{id, sessionName, type, profileId, region, status}]
//   leapp session start --sessionId ID --noInteractive
//   leapp session stop --sessionId ID
// The CLI refuses to run unless the desktop app runs ("Leapp app must be running to use this
// CLI"); that becomes one line saying to start the app.
// https://docs.leapp.cloud/latest/cli/scopes/session/
import { execFile } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { howChildFailed } from '../support/child-failure.js';
import { UserError } from '../support/errors.js';
import { silentTrace, type Trace } from '../support/trace.js';

/** The leapp CLI to run (a path or a name on PATH); default `leapp`. */
export const LEAPP_COMMAND_ENV = 'CC_HELPER_LEAPP';
export const LEAPP_NOT_RUNNING = "Leapp's desktop app is not running: start it and try again";

export interface LeappSession {
  id: string;
  sessionName: string;
  /** The named profile's name (Leapp's `profileId` column shows the name), `-` when none. */
  profileName: string;
  /** `active`, `pending` or `inactive`. */
  status: string;
  type?: string;
  region?: string;
}

export interface LeappOptions {
  env?: NodeJS.ProcessEnv;
  /** Else $CC_HELPER_LEAPP, else `leapp` on PATH. */
  command?: string;
  trace?: Trace;
  /** For `start`, which may wait on a federated login; other calls get a quarter of it. */
  timeoutMs?: number;
}

/** Leapp writes the default credentials file under the home folder; it ignores AWS_SHARED_CREDENTIALS_FILE. */
export function leappCredentialsFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.HOME || homedir(), '.aws', 'credentials');
}

export class Leapp {
  readonly #env: NodeJS.ProcessEnv;
  readonly #command: string;
  readonly #trace: Trace;
  readonly #timeoutMs: number;

  constructor(options: LeappOptions = {}) {
    this.#env = options.env ?? process.env;
    this.#command = options.command ?? (this.#env[LEAPP_COMMAND_ENV] || 'leapp');
    this.#trace = options.trace ?? silentTrace;
    this.#timeoutMs = options.timeoutMs ?? 120_000;
  }

  async listSessions(): Promise<LeappSession[]> {
    const stdout = await this.#run(['session', 'list', '--output', 'json', '-x'], 'list its sessions', this.#timeoutMs / 4);
    return parseSessionList(stdout);
  }

  /**
   * The session whose named profile is exactly `profile`. Several may share a profile (Leapp
   * lets only one be active): the active one wins; several inactive ones are ambiguous.
   */
  async findSession(profile: string): Promise<LeappSession | undefined> {
    const matches = (await this.listSessions()).filter((session) => session.profileName === profile);
    if (matches.length <= 1) return matches[0];
    const active = matches.filter((session) => session.status !== 'inactive');
    if (active.length === 1) return active[0];
    const names = matches.map((session) => `"${session.sessionName}"`).join(', ');
    throw new UserError(`${matches.length} Leapp sessions use the named profile "${profile}" (${names}): start the one you want in Leapp, or give each its own profile`);
  }

  /** Starts the profile's session (Leapp then writes its credentials); returns it. */
  async start(profile: string): Promise<LeappSession> {
    const session = await this.#require(profile);
    await this.#run(['session', 'start', '--sessionId', session.id, '--noInteractive'], `start session "${session.sessionName}" (profile ${profile})`, this.#timeoutMs);
    this.#trace(`Leapp started session ${session.id} for profile "${profile}"`);
    return { ...session, status: 'active' };
  }

  /** Stops the profile's session (Leapp then removes its credentials). False when it was not running. */
  async stop(profile: string): Promise<boolean> {
    const session = await this.#require(profile);
    if (session.status === 'inactive') return false;
    await this.#run(['session', 'stop', '--sessionId', session.id], `stop session "${session.sessionName}" (profile ${profile})`, this.#timeoutMs / 4);
    this.#trace(`Leapp stopped session ${session.id} for profile "${profile}"`);
    return true;
  }

  async #require(profile: string): Promise<LeappSession> {
    const session = await this.findSession(profile);
    if (!session) {
      throw new UserError(`no Leapp session uses the named profile "${profile}": in Leapp, set a session's named profile to "${profile}"`);
    }
    return session;
  }

  #run(args: string[], what: string, timeoutMs: number): Promise<string> {
    const started = Date.now();
    return new Promise((resolvePromise, reject) => {
      execFile(this.#command, args, { env: this.#env, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024, windowsHide: true }, (error, stdout, stderr) => {
        this.#trace(`leapp ${args.join(' ')}: ${error ? 'failed' : 'ok'} in ${Date.now() - started} ms`);
        if (!error) return resolvePromise(stdout);
        const output = `${stderr}\n${stdout}`;
        if (/Leapp app must be running/i.test(output)) return reject(new UserError(LEAPP_NOT_RUNNING));
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') {
          return reject(new UserError(`the leapp CLI (${this.#command}) was not found: install it (npm install -g @noovolari/leapp-cli) or set ${LEAPP_COMMAND_ENV} to its path`));
        }
        if ((error as { killed?: boolean }).killed) return reject(new UserError(`Leapp did not ${what} within ${Math.round(timeoutMs / 1000)} s`));
        reject(new UserError(`Leapp could not ${what}: ${leappMessage(output) || `the leapp CLI ${howChildFailed(error)}`}`));
      });
    });
  }
}

/** `session list --output json -x`: a JSON array, possibly after other lines. */
export function parseSessionList(stdout: string): LeappSession[] {
  const start = stdout.indexOf('[');
  let rows: unknown;
  try {
    rows = JSON.parse(start >= 0 ? stdout.slice(start) : stdout);
  } catch {
    throw new UserError('Leapp\'s session list was not the JSON cc-helper expects: is the leapp CLI up to date?');
  }
  if (!Array.isArray(rows)) throw new UserError('Leapp\'s session list was not a JSON array: is the leapp CLI up to date?');
  return rows.map((row: Record<string, unknown>) => {
    if (typeof row?.id !== 'string' || typeof row.sessionName !== 'string') {
      throw new UserError('Leapp\'s session list has no session ids: is the leapp CLI up to date?');
    }
    const session: LeappSession = {
      id: row.id,
      sessionName: row.sessionName,
      profileName: typeof row.profileId === 'string' ? row.profileId : '-',
      status: typeof row.status === 'string' ? row.status : 'inactive',
    };
    if (typeof row.type === 'string') session.type = row.type;
    if (typeof row.region === 'string') session.region = row.region;
    return session;
  });
}

/** oclif prints ` ›   Error: message`: keep the message, one line. */
function leappMessage(output: string): string {
  const lines = output.split('\n').map((line) => line.replace(/^[\s›]*(Error:\s*)?/, '').trim()).filter(Boolean);
  return (lines[0] ?? '').slice(0, 200);
}

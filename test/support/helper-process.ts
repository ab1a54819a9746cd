// Runs the built helper as git does: a fresh process, the request on stdin, stdout and stderr
// captured. The environment is built from scratch so nothing leaks in from the developer's.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const HELPER_BIN = join(PACKAGE_ROOT, 'bin', 'cc-helper.js');

export interface HelperResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runHelper(args: string[], input: string | Buffer, env: NodeJS.ProcessEnv): Promise<HelperResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [HELPER_BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
    child.stdin.on('error', () => {}); // the helper may stop reading early (size limits)
    child.stdin.end(input);
  });
}

/** A temporary HOME with AWS files; every variable the helper reads is set or cleared. */
export interface AwsHome {
  home: string;
  credentialsFile: string;
  configFile: string;
  env: NodeJS.ProcessEnv;
  cleanup: () => void;
}

export function makeAwsHome(files: { credentials?: string; config?: string } = {}): AwsHome {
  const home = mkdtempSync(join(tmpdir(), 'cc-helper-home-'));
  const credentialsFile = join(home, 'credentials');
  const configFile = join(home, 'config');
  if (files.credentials !== undefined) writeFileSync(credentialsFile, files.credentials, { mode: 0o600 });
  if (files.config !== undefined) writeFileSync(configFile, files.config, { mode: 0o600 });
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
    AWS_CONFIG_FILE: configFile,
    AWS_EC2_METADATA_DISABLED: 'true',
    GIT_TERMINAL_PROMPT: '0',
    LANG: 'C',
  };
  return { home, credentialsFile, configFile, env, cleanup: () => rmSync(home, { recursive: true, force: true }) };
}

export function request(attrs: Record<string, string>): string {
  return Object.entries(attrs).map(([k, v]) => `${k}=${v}\n`).join('') + '\n';
}

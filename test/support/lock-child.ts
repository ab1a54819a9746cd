// A separate process for the lock and credentials-file tests: real processes contend for the
// lock, and one can be SIGKILLed while holding it. Prints one JSON line when done; `ready` when
// it holds the lock in a `hold-*` mode, then waits to be killed.
//   node lock-child.js replace <file> <profile> <values JSON | "remove">
//   node lock-child.js hold-edit <file> <profile> <values JSON>   (stops before the rename)
//   node lock-child.js hold-lock <lockPath>
//   node lock-child.js count <lockPath> <counterFile> <logFile>
//   node lock-child.js activate <file> <profile> <sts url> <key id> <secret>   (the activator's recipe)
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { replaceProfileSection, sessionSectionValues, withProfileActivationLock } from '../../src/aws-files/credentials-file-editor.js';
import { createStsClient } from '../../src/aws-clients/sts-client.js';
import { withFileLock } from '../../src/support/file-lock.js';

const [mode, ...args] = process.argv.slice(2);
const started = performance.now();
const forever = () => new Promise<never>(() => setInterval(() => {}, 1 << 30));
const done = (extra: Record<string, unknown> = {}) => process.stdout.write(JSON.stringify({ pid: process.pid, ms: performance.now() - started, ...extra }) + '\n');

if (mode === 'replace') {
  const [file, profile, values] = args as [string, string, string];
  const result = await replaceProfileSection(file, profile, values === 'remove' ? undefined : (JSON.parse(values) as Record<string, string>));
  done({ changed: result.changed });
} else if (mode === 'hold-edit') {
  const [file, profile, values] = args as [string, string, string];
  await replaceProfileSection(file, profile, JSON.parse(values) as Record<string, string>, {
    beforeCommit: async (temp) => {
      process.stdout.write(`ready ${temp}\n`);
      await forever();
    },
  });
} else if (mode === 'hold-lock') {
  await withFileLock(args[0]!, async () => {
    process.stdout.write('ready\n');
    await forever();
  });
} else if (mode === 'count') {
  const [lockPath, counterFile, logFile] = args as [string, string, string];
  await withFileLock(lockPath, async () => {
    appendFileSync(logFile, `enter ${process.pid}\n`);
    const n = Number(readFileSync(counterFile, 'utf8'));
    await new Promise((resolve) => setTimeout(resolve, 2)); // widen the window a lost lock would show in
    writeFileSync(counterFile, String(n + 1));
    appendFileSync(logFile, `exit ${process.pid}\n`);
  }, { timeoutMs: 60_000 });
  done();
} else if (mode === 'activate') {
  const [file, profile, url, accessKeyId, secretAccessKey] = args as [string, string, string, string, string];
  const marginMs = 5 * 60_000;
  const outcome = await withProfileActivationLock(file, profile, async (current) => {
    // Re-read under the lock: another process may have activated while this one waited.
    const expires = current?.x_security_token_expires ? new Date(current.x_security_token_expires).getTime() : 0;
    if (current?.aws_session_token && expires - Date.now() > marginMs) return { how: 'reused', accessKeyId: current.aws_access_key_id };
    const sts = createStsClient({ region: 'us-east-1', credentials: { accessKeyId, secretAccessKey }, env: { AWS_ENDPOINT_URL_STS: url } });
    const session = await sts.getSessionToken({ durationSeconds: 3600 });
    await replaceProfileSection(file, profile, sessionSectionValues(session, 'vault-item'));
    return { how: 'activated', accessKeyId: session.accessKeyId };
  });
  done(outcome);
} else {
  process.stderr.write(`unknown mode ${mode}\n`);
  process.exitCode = 2;
}

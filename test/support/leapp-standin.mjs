#!/usr/bin/env node
// A stand-in for the `leapp` CLI (Leapp is a desktop app and cannot be installed here). It
// follows the documented surface cc-helper uses, and nothing more:
//   leapp session list [--output json|csv|yaml] [-x|--extended]
//   leapp session start --sessionId ID [--noInteractive]
//   leapp session stop --sessionId ID
// and behaves as Leapp does where cc-helper depends on it:
// - without the desktop app it refuses every command (oclif error, exit status 2);
// - `start` writes the session's named-profile section (keys, token, region, no expiry) into
//   $HOME/.aws/credentials by reading and rewriting the whole file without a lock (Leapp
//   ignores AWS_SHARED_CREDENTIALS_FILE), and deactivates other sessions of the same profile;
// - `stop` removes that section.
// State: the JSON file named by $LEAPP_STANDIN_STATE:
//   { "sessions": [{ "id", "sessionName", "type", "profileName", "region", "status",
//                    "credentials": { "accessKeyId", "secretAccessKey", "sessionToken" },
//                    "startError": "message" (optional: `start` fails with it) }],
//     "calls": [argv, ...] }            (every run appends its argv)
// Switch: LEAPP_STANDIN_DESKTOP_APP=stopped plays "the desktop app is not running".
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

const statePath = process.env.LEAPP_STANDIN_STATE;
if (!statePath) fail('LEAPP_STANDIN_STATE is not set (this is the test stand-in for leapp)');
const state = JSON.parse(readFileSync(statePath, 'utf8'));
const argv = process.argv.slice(2);
state.calls = [...(state.calls ?? []), argv];
save();

if (process.env.LEAPP_STANDIN_DESKTOP_APP === 'stopped') {
  fail('Leapp app must be running to use this CLI. You can download it here: https://www.leapp.cloud/releases');
}

const [topic, command, ...rest] = argv;
const flags = parseFlags(rest);
if (topic === 'session' && command === 'list') list();
else if (topic === 'session' && command === 'start') start();
else if (topic === 'session' && command === 'stop') stop();
else fail(`command ${[topic, command].filter(Boolean).join(':')} not found`);

function list() {
  known(['output', 'extended', 'x', 'columns', 'no-header', 'no-truncate', 'filter', 'sort']);
  const extended = flags.extended === true || flags.x === true;
  const rows = state.sessions.map((s) => ({
    ...(extended ? { id: s.id } : {}),
    sessionName: s.sessionName,
    type: s.type ?? 'AWS IAM User',
    profileId: s.profileName ?? '-',
    region: s.region ?? 'us-east-1',
    status: s.status ?? 'inactive',
  }));
  if (flags.output === 'json') {
    process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
  } else if (flags.output === undefined) {
    const columns = Object.keys(rows[0] ?? { sessionName: '', type: '', profileId: '', region: '', status: '' });
    process.stdout.write(columns.join('  ') + '\n');
    for (const row of rows) process.stdout.write(columns.map((c) => row[c]).join('  ') + '\n');
  } else {
    fail(`Expected --output=${flags.output} to be one of: csv, json, yaml`);
  }
}

function start() {
  known(['sessionId', 'noInteractive']);
  const session = byId('No session with id %s found');
  // A session that needs a person (MFA, SSO login) fails this way under --noInteractive.
  if (session.startError) fail(session.startError);
  for (const other of state.sessions) {
    if (other !== session && other.profileName === session.profileName && other.status !== 'inactive') {
      other.status = 'inactive';
    }
  }
  session.status = 'active';
  const c = session.credentials ?? {};
  writeSection(session.profileName, {
    aws_access_key_id: c.accessKeyId,
    aws_secret_access_key: c.secretAccessKey,
    aws_session_token: c.sessionToken,
    region: session.region ?? 'us-east-1',
  });
  save();
  process.stdout.write('session started\n');
}

function stop() {
  known(['sessionId']);
  const session = byId('No session found with id %s');
  session.status = 'inactive';
  writeSection(session.profileName, undefined);
  save();
  process.stdout.write('session stopped\n');
}

function byId(notFound) {
  if (typeof flags.sessionId !== 'string' || flags.sessionId === '') {
    // The real CLI would open an interactive picker here; cc-helper must never get there.
    fail('interactive session picker reached: pass --sessionId (stand-in refuses to prompt)');
  }
  const session = state.sessions.find((s) => s.id === flags.sessionId);
  if (!session) fail(notFound.replace('%s', flags.sessionId));
  return session;
}

/** Rewrites the whole credentials file with one section replaced, added, or removed. */
function writeSection(name, values) {
  const file = join(process.env.HOME || homedir(), '.aws', 'credentials');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const sections = [];
  let current = { name: undefined, lines: [] };
  sections.push(current);
  for (const line of text.split('\n')) {
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (header) {
      current = { name: header[1].trim(), lines: [line] };
      sections.push(current);
    } else {
      current.lines.push(line);
    }
  }
  const kept = sections.filter((s) => s.name !== name);
  let out = kept.map((s) => s.lines.join('\n')).join('\n').replace(/\n*$/, '\n');
  if (out === '\n') out = '';
  if (values) {
    out += `${out ? '\n' : ''}[${name}]\n` + Object.entries(values).map(([k, v]) => `${k}=${v}`).join('\n') + '\n';
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, out);
}

function parseFlags(args) {
  const result = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const long = /^--([^=]+)(?:=(.*))?$/.exec(arg);
    if (long) {
      const [, name, inline] = long;
      if (inline !== undefined) result[name] = inline;
      else if (['sessionId', 'output', 'columns', 'filter', 'sort'].includes(name)) result[name] = args[++i];
      else result[name] = true;
    } else if (arg === '-x') {
      result.x = true;
    } else {
      fail(`Unexpected argument: ${arg}`);
    }
  }
  return result;
}

function known(names) {
  for (const name of Object.keys(flags)) if (!names.includes(name)) fail(`Nonexistent flag: --${name}`);
}

function save() {
  writeFileSync(statePath, JSON.stringify(state, null, 2) + '\n');
}

function fail(message) {
  process.stderr.write(` ›   Error: ${message}\n`);
  process.exit(2);
}

#!/usr/bin/env node
// npm's `prepare` script (package.json): builds cc-helper wherever npm prepares it, so that an
// install ends with a built copy and its V8 code cache, or fails before it installs anything.
// Plain JavaScript, not TypeScript: it runs before anything is compiled, in a clone that may have
// no node_modules at all. What npm 10 and 11 run, route by route (docs/platforms.md):
// - `npm ci` / `npm install` in a checkout, `npm pack`, `npm publish`: `prepare` here, with the
//   devDependencies installed: it builds.
// - `npm install -g <folder>`: npm links the global package to the folder, installs none of the
//   folder's dependencies, and runs `prepare` in it: the dependencies (dev too) are installed here
//   from package-lock.json when missing, then it builds.
// - `npm pack git+URL`, or a git dependency of a project: npm clones into a temporary folder
//   (`<cache>/_cacache/tmp/git-clone*`), runs `npm install` there with the devDependencies
//   (which runs `prepare`: it builds), packs it (`prepare` again: already built) and installs the
//   tarball.
// - `npm install -g git+URL` (also git+https, github: and other hosted shorthands, which download
//   the same folder as a tarball): that inner `npm install` inherits `--global`, so it installs the
//   temporary clone globally, as a link, while the outer install is already unpacking cc-helper's
//   dependencies into the same place: the dependencies land in the clone, and the command ends up
//   pointing at a deleted folder (npm/cli#6984, #3692, #4148, #8440). Nothing in a package can
//   make that work, so `prepare` refuses there, first thing: npm then fails and undoes its
//   install. (Over an existing global cc-helper, npm's inner install has already removed it by
//   then: reinstall it with the tarball.)
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
/** Set for the nested `npm ci`, whose own `prepare` of this package must not build (or recurse). */
const NESTED = 'CC_HELPER_PREPARE_NESTED';

const say = (line) => process.stderr.write(`cc-helper prepare: ${line}\n`);
function fail(line) {
  say(line);
  process.exit(1);
}

/** A temporary clone npm's git fetcher (pacote) made: `<cache>/_cacache/tmp/git-clone*`, deleted after packing. */
function isNpmTemporaryClone(dir) {
  return basename(dir).startsWith('git-clone') && basename(dirname(dir)) === 'tmp' && basename(dirname(dirname(dir))) === '_cacache';
}

/** Every package the build and the type check need (all of package.json's dependencies) is here. */
function hasBuildTools() {
  const names = [...Object.keys(PKG.dependencies ?? {}), ...Object.keys(PKG.devDependencies ?? {})];
  return names.every((name) => existsSync(join(ROOT, 'node_modules', ...name.split('/'), 'package.json')));
}

/** The npm that runs this script (npm_execpath), with node: no shell, the same on Windows. Its output goes to stderr: `npm pack` prints the tarball's name on stdout. */
function npm(args, env) {
  const npmCli = process.env.npm_execpath;
  const run = npmCli
    ? spawnSync(process.execPath, [npmCli, ...args], { cwd: ROOT, env, stdio: ['ignore', 2, 2] })
    : spawnSync('npm', args, { cwd: ROOT, env, stdio: ['ignore', 2, 2], shell: process.platform === 'win32' });
  if (run.error) fail(`cannot run npm ${args[0]} (${run.error.message}): run \`npm ci && npm run build\` in ${ROOT}`);
  return run.status ?? 1;
}

/**
 * The environment for npm run here, without the outer command's settings that would make it
 * install somewhere else or leave things out (--global and --prefix point at the global folder;
 * --omit=dev drops the build tools).
 */
function localNpmEnv() {
  const env = { ...process.env, [NESTED]: '1' };
  for (const key of ['global', 'location', 'prefix', 'global_prefix', 'local_prefix', 'omit', 'include', 'only', 'production', 'dry_run', 'package_lock_only', 'force']) {
    delete env[`npm_config_${key}`];
  }
  return env;
}

/** What `npm run build` leaves: the hot bundle's code cache is its last step. */
const BUILT = join(ROOT, 'dist', 'src', 'cli', 'cc-helper.cjs.v8cache');

/** The git URL npm is installing (pacote lists the git dependencies it is preparing, one a line). */
function gitSpec() {
  return (process.env._PACOTE_NO_PREPARE_ ?? '').split('\n').filter(Boolean).at(-1) ?? 'git+URL';
}

function main() {
  if (process.env[NESTED]) return; // the nested `npm ci` below: its caller builds
  const temporaryClone = isNpmTemporaryClone(ROOT);
  const global = process.env.npm_config_global === 'true' || process.env.npm_config_location === 'global';
  if (global && (temporaryClone || process.env._PACOTE_NO_PREPARE_)) {
    // `npm install -g git+URL` (see above): refuse before npm links anything, so that it fails
    // and undoes what it did instead of leaving a command that points into a deleted clone.
    fail(
      `npm install -g cannot install cc-helper from a git URL (npm installs its temporary clone globally, as a link that dangles once npm deletes the clone: ` +
        `npm/cli#6984); nothing was installed. Pack it, then install the tarball: npm pack ${gitSpec()} && npm install -g ./${PKG.name}-${PKG.version}.tgz`,
    );
  }
  // A temporary clone npm packs after preparing it (`npm pack git+URL`, a git dependency): the
  // preparation's own `npm install` ran this script and built it already.
  if (temporaryClone && existsSync(BUILT)) return;
  const env = localNpmEnv();
  if (!hasBuildTools()) {
    say(`installing the build tools (package.json devDependencies, from package-lock.json) into ${join(ROOT, 'node_modules')}`);
    const status = npm(['ci', '--global=false', `--prefix=${ROOT}`, '--include=dev', '--include=optional', '--no-dry-run', '--no-package-lock-only', '--no-audit', '--no-fund', '--loglevel=error'], env);
    if (status !== 0 || !hasBuildTools()) fail(`installing the build tools failed (npm ci exited ${status}): run \`npm ci\` in ${ROOT}, or install a packed tarball (README, "Install")`);
  }
  const status = npm(['run', 'build', '--silent'], env);
  if (status !== 0) fail(`the build failed (exit ${status}): run \`npm run build\` in ${ROOT} to see why`);
}

main();

#!/usr/bin/env node
// git runs this for every request, so it loads the CLI the quickest way Node 20 offers: one
// CommonJS bundle (dist/src/cli/cc-helper.cjs, made by `npm run build` by scripts/bundle.ts; the
// other commands wait in cc-helper-cold.cjs) compiled with the V8 code cache built next to it.
// A cache from another Node version is rejected by V8 and the bundle is compiled as usual; a
// missing cache just means compiling too.
'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { Script } = require('node:vm');

const bundle = join(__dirname, '..', 'dist', 'src', 'cli', 'cc-helper.cjs');
let cachedData;
try {
  cachedData = readFileSync(`${bundle}.v8cache`);
} catch {
  cachedData = undefined;
}
let code;
try {
  code = readFileSync(bundle, 'utf8');
} catch (error) {
  if (error.code !== 'ENOENT') throw error;
  // A checkout linked or installed as a folder before it was built (a packed tarball has it).
  process.stderr.write(`cc-helper: this copy is not built (${bundle} is missing): run \`npm ci && npm run build\` in ${join(__dirname, '..')}, or install a packed tarball (see the README, "Install")\n`);
  process.exit(1);
}
// The same function wrapper as CommonJS modules get (scripts/bundle.ts checks the cache with it).
const source = `(function (exports, require, module, __filename, __dirname) {${code}\n})`;
const compiled = new Script(source, { filename: bundle, cachedData }).runInThisContext();
// This file's own require: the bundle loads builtins and packages, which resolve the same from
// here as from dist/src/cli, and cc-helper-cold.cjs by absolute path (node:module's
// createRequire would cost 0.2 ms to load).
const module_ = { exports: {} };
compiled.call(module_.exports, module_.exports, require, module_, bundle, join(bundle, '..'));

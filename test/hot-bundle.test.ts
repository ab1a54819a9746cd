// The hot bundle (dist/src/cli/cc-helper.cjs: what git starts for every credential request) holds
// exactly the modules src/cli/hot-bundle.ts declares, and no npm package: a module that joins the
// get path by a static import, or a package that slips into it, fails here. Read from esbuild's
// own account of the bundle the build just made (its metafile, checked to describe that very file).
import test from 'ava';
import { readFileSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI_ENTRY, HOT_ENTRIES, HOT_MEMBERS } from '../src/cli/hot-bundle.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BUNDLE_ID = 'dist/src/cli/cc-helper.cjs';

interface Output {
  bytes: number;
  inputs: Record<string, unknown>;
  imports: Array<{ path: string; kind: string; external?: boolean }>;
}

function hotOutput(): Output {
  const metafile = JSON.parse(readFileSync(join(ROOT, 'dist', 'src', 'cli', 'cc-helper.meta.json'), 'utf8')) as { outputs: Record<string, Output> };
  const output = metafile.outputs[BUNDLE_ID];
  if (!output) throw new Error(`the metafile does not describe ${BUNDLE_ID}`);
  return output;
}

const distId = (srcPath: string) => `dist/src/${srcPath.replace(/\.ts$/, '.js')}`;

test('the metafile describes the bundle on disk', (t) => {
  t.is(hotOutput().bytes, statSync(join(ROOT, BUNDLE_ID)).size);
});

test('the hot bundle holds exactly the declared members, starting from the entry', (t) => {
  const ours = Object.keys(hotOutput().inputs).filter((id) => id.startsWith('dist/src/')).sort();
  t.deepEqual(ours, HOT_MEMBERS.map(distId).sort());
  t.true(HOT_MEMBERS.includes(CLI_ENTRY));
  for (const entry of HOT_ENTRIES) t.true(HOT_MEMBERS.includes(entry), `${entry} is a hot entry but not a declared member`);
});

test('no npm package is bundled into the hot path or required from it', (t) => {
  const output = hotOutput();
  t.deepEqual(Object.keys(output.inputs).filter((id) => id.includes('node_modules')), []);
  // What is left external is loaded by require() when the bundle runs: only Node's builtins.
  t.deepEqual(output.imports.filter((i) => i.external && !isBuiltin(i.path)).map((i) => i.path), []);
});

test('every module the hot bundle hands to the cold file is outside the declared members', (t) => {
  const cold = Object.keys(hotOutput().inputs).filter((id) => id.startsWith('cc-helper-cold:')).map((id) => id.slice('cc-helper-cold:'.length));
  t.true(cold.length > 0);
  t.deepEqual(cold.filter((id) => HOT_MEMBERS.map(distId).includes(id)), []);
});

// Part of `npm run build`, after tsc: bundles the CLI into two CommonJS files in dist/src/cli,
// and builds V8's code cache for the first, which bin/cc-helper.js compiles it with:
// - cc-helper.cjs (+ cc-helper.cjs.v8cache): from the entry src/cli/entry.ts, argument parsing
//   and the git helper actions (get, store, erase): read the request, choose the profile, read the
//   files, sign (with cc-helper's own SHA-256 and SigV4 key chain: no package on this path); its
//   members are declared in src/cli/hot-bundle.ts, and the build stops on any other;
// - git-remote-codecommit.cjs: the whole of bin/git-remote-codecommit.js (from
//   src/codecommit-remote/entry.ts), one file with no external package, since git starts it for
//   every fetch and push of a codecommit:: remote;
// - cc-helper-cold.cjs: everything the entry or the get path import() lazily besides that (setup,
//   vault, session commands, usage, the SDK and on-demand session paths), loaded with require()
//   the first time one of them runs. Its modules reach the modules the first file already has
//   through a small table (__ccShared) instead of carrying copies, so there is one of each class
//   (`instanceof UserError` holds wherever the error was thrown) and one of each module's state.
// Other npm packages (the AWS SDK, simple-git, native keyrings) stay external and load from
// node_modules only when their command runs.
//
// Why: git starts the helper for every request. Loading the ES modules tsc emits (a dozen of
// ours, forty-odd of @smithy's, each resolved and linked by the ESM loader) costs more than the
// work itself; one CommonJS file skips the ESM loader, the code cache skips compiling it, and
// keeping the other commands out of it keeps `get` from paying for them as they grow.
// Both files sit next to dist/src/cli/main.js so that `import.meta.url`-relative paths written
// for modules one folder below dist/src (`../../../package.json`) still point at the same files.
import { build, type BuildOptions, type Metafile, type Plugin } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import { CLI_ENTRY, HOT_ENTRIES, HOT_MEMBERS, REMOTE_HELPER_ENTRY } from '../src/cli/hot-bundle.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI_DIR = join(ROOT, 'dist', 'src', 'cli');
const BUNDLE = join(CLI_DIR, 'cc-helper.cjs');
const COLD_BUNDLE = join(CLI_DIR, 'cc-helper-cold.cjs');
const REMOTE_BUNDLE = join(CLI_DIR, 'git-remote-codecommit.cjs');
/** Read by bin/cc-helper.js; V8 rejects it (and the bin compiles normally) on another Node. */
const CODE_CACHE = `${BUNDLE}.v8cache`;

/** A module of src/ as the bundler sees it: its id under dist/ (`cli/main.ts` -> `dist/src/cli/main.js`). */
function distId(srcPath: string): string {
  return `dist/src/${srcPath.replace(/\.ts$/, '.js')}`;
}

/** The import()s on the hot path that stay in cc-helper.cjs (src/cli/hot-bundle.ts). */
const HOT_DYNAMIC = new Set(HOT_ENTRIES.map(distId));
/** All that cc-helper.cjs may hold of ours (src/cli/hot-bundle.ts). */
const HOT_ALLOWED = new Set(HOT_MEMBERS.map(distId));
/** esbuild's account of cc-helper.cjs (its inputs and imports), which test/hot-bundle.test.ts reads. */
const HOT_METAFILE = join(CLI_DIR, 'cc-helper.meta.json');

/**
 * Packages bundled (into the cold file: STS and IAM requests are signed with @smithy's SigV4),
 * with whatever they import in turn, through their ES module entries so unused code is shaken
 * out. They ship inside the bundle, so package.json lists them as devDependencies; what stays
 * external must be a runtime dependency (checked below).
 */
const BUNDLED_PACKAGES = new Set(['@smithy/signature-v4']);

/** The runtime dependencies an installed package gets: the only externals the bundles may require. */
const RUNTIME_DEPENDENCIES = new Set(Object.keys((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {}));

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/**
 * Our code imports only the hot-path packages into the bundle; everything else stays external
 * and is loaded with require() when its command runs. The bins compile the bundle through
 * node:vm (for the code cache), where `import()` would need an experimental flag, so an
 * `await import('pkg')` becomes a lazily run `require('pkg')` (a CommonJS package's exports, as
 * import() would give them); checkRequirable() below refuses ES-module-only packages.
 */
const externals: Plugin = {
  name: 'cc-helper-externals',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.namespace === 'cc-helper-require') return { path: args.path, external: true };
      const bundled = /[\\/]node_modules[\\/]/.test(args.importer) || BUNDLED_PACKAGES.has(packageName(args.path));
      if (bundled && !args.path.startsWith('node:')) return undefined; // esbuild resolves it (builtins: external)
      if (args.kind === 'dynamic-import') return { path: args.path, namespace: 'cc-helper-require' };
      return { path: args.path, external: true };
    });
    b.onLoad({ filter: /.*/, namespace: 'cc-helper-require' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});\n`,
      loader: 'js',
    }));
  },
};

/**
 * Builtins loaded on first call instead of when the bundle loads, where a module imports one for
 * a path `get` rarely or never takes:
 * - node:crypto inside @smithy: @smithy/core's serde module reads `getRandomValues` when it loads
 *   (for UUIDs, which signing never makes), and node:crypto (with the streams it pulls in) costs
 *   about 2 ms of every run;
 * - node:os in our modules: `homedir()` only when HOME is unset, `hostname()` for lock files,
 *   `tmpdir()` for setup.
 * The stand-in exports a function per name that loads the real module on its first call. A name
 * missing from a list fails the build ("No matching export"), never the run.
 */
const LAZY_BUILTINS: Record<string, { names: string[]; importers: RegExp }> = {
  crypto: { names: ['createHash', 'createHmac', 'getRandomValues', 'randomUUID'], importers: /[\\/]node_modules[\\/]@smithy[\\/]/ },
  os: { names: ['homedir', 'hostname', 'tmpdir'], importers: /[\\/]dist[\\/]src[\\/]/ },
};
const lazyBuiltins: Plugin = {
  name: 'cc-helper-lazy-builtins',
  setup(b) {
    b.onResolve({ filter: /^(node:)?(crypto|os)$/ }, (args) => {
      const builtin = args.path.replace(/^node:/, '');
      return LAZY_BUILTINS[builtin]!.importers.test(args.importer) ? { path: builtin, namespace: 'cc-helper-lazy' } : undefined;
    });
    b.onLoad({ filter: /.*/, namespace: 'cc-helper-lazy' }, (args) => ({
      contents: LAZY_BUILTINS[args.path]!.names
        .map((name) => `export function ${name}(...args) { return require('node:${args.path}').${name}(...args); }\n`)
        .join(''),
      loader: 'js',
    }));
  },
};

/**
 * @smithy/core's `serde` barrel builds its UUID generator when it loads, and that reads the
 * global `crypto`, which makes Node load WebCrypto (about 2 ms of every run) for UUIDs the signer
 * never makes. In the bundled copy the generator is built on its first call instead: same
 * function, same results. If the line changes in a new version, the build stops here.
 */
const SERDE_BARREL = /[\\/]node_modules[\\/]@smithy[\\/]core[\\/]dist-es[\\/]submodules[\\/]serde[\\/]index\.js$/;
const EAGER_V4 = 'export const v4 = bindV4(_getRandomValues);';
const LAZY_V4 = 'let _v4;\nexport const v4 = () => (_v4 ??= bindV4(_getRandomValues))();';
const lazyUuid: Plugin = {
  name: 'cc-helper-lazy-uuid',
  setup(b) {
    b.onLoad({ filter: SERDE_BARREL }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes(EAGER_V4)) throw new Error(`bundle: ${args.path} no longer has "${EAGER_V4}": revisit lazyUuid`);
      return { contents: source.replace(EAGER_V4, LAZY_V4), loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

/**
 * An external package reached by a static import becomes `require()` in CommonJS, which cannot
 * load an ES-module-only package on Node 20: refuse to build rather than fail at run time.
 */
function checkRequirable(specifier: string): void {
  const require = createRequire(BUNDLE);
  let file: string;
  try {
    file = require.resolve(specifier);
  } catch (error) {
    throw new Error(`bundle: external "${specifier}" cannot be require()d from ${BUNDLE}: ${(error as Error).message}`);
  }
  if (file.endsWith('.mjs') || (file.endsWith('.js') && nearestPackageType(file) === 'module')) {
    throw new Error(
      `bundle: "${specifier}" is an ES-module-only package, which the CommonJS bundle cannot require() on Node 20: ` +
        'add it to BUNDLED_PACKAGES in scripts/bundle.ts (inlined, behind the lazy wrapper of the command that uses it)',
    );
  }
}

function nearestPackageType(file: string): string | undefined {
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { type?: string }).type ?? 'commonjs';
    } catch {
      continue;
    }
  }
  return undefined;
}

/** A module's id: its path from the package root, with forward slashes. */
function moduleId(path: string): string {
  return relative(ROOT, path).split(sep).join('/');
}

function isFirstParty(path: string): boolean {
  return path.startsWith(join(ROOT, 'dist', 'src') + sep);
}

/** Options both files share: CommonJS for Node 20, `import.meta` mapped, minified whitespace. */
function commonOptions(banner: string): BuildOptions {
  return {
    absWorkingDir: ROOT,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    // ES module entries first: @smithy's dist-es tree-shakes to a fraction of dist-cjs.
    mainFields: ['module', 'main'],
    // `import.meta` does not exist in CommonJS; give the modules that read it the file's own URL
    // (a getter, so the URL is made only when a command reads it).
    banner: { js: `var __cc_import_meta = { get url() { return require("node:url").pathToFileURL(__filename).href; } };\n${banner}` },
    define: {
      'import.meta.url': '__cc_import_meta.url',
      'import.meta.filename': '__filename',
      'import.meta.dirname': '__dirname',
    },
    metafile: true,
    legalComments: 'none',
    // Less to read and deserialize on every run (about 0.4 ms); identifiers stay, so stack traces
    // (--debug) still name functions.
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'warning',
  };
}

/**
 * In cc-helper.cjs, an import() of one of our modules that is not on the hot path (and not in the
 * file anyway) becomes a stand-in that fetches it from cc-helper-cold.cjs.
 */
function coldBoundary(hot: ReadonlySet<string>, cold: Set<string>): Plugin {
  return {
    name: 'cc-helper-cold-boundary',
    setup(b) {
      b.onResolve({ filter: /^\./ }, (args) => {
        if (args.kind !== 'dynamic-import' || args.namespace !== 'file') return undefined;
        const path = resolve(args.resolveDir, args.path);
        const id = moduleId(path);
        if (!isFirstParty(path) || HOT_DYNAMIC.has(id) || hot.has(id)) return undefined;
        cold.add(id);
        return { path: id, namespace: 'cc-helper-cold' };
      });
      b.onLoad({ filter: /.*/, namespace: 'cc-helper-cold' }, (args) => ({
        contents: `module.exports = __ccCold(${JSON.stringify(args.path)});\n`,
        loader: 'js',
      }));
    },
  };
}

/** In cc-helper-cold.cjs, an import of a module cc-helper.cjs holds becomes a lookup in it. */
function sharedBoundary(hot: ReadonlySet<string>, shared: Set<string>): Plugin {
  return {
    name: 'cc-helper-shared-boundary',
    setup(b) {
      b.onResolve({ filter: /^\./ }, (args) => {
        if (args.namespace !== 'file') return undefined;
        const id = moduleId(resolve(args.resolveDir, args.path));
        if (!hot.has(id)) return undefined;
        shared.add(id);
        return { path: id, namespace: 'cc-helper-shared' };
      });
      b.onLoad({ filter: /.*/, namespace: 'cc-helper-shared' }, (args) => ({
        contents: `module.exports = __ccShared(${JSON.stringify(args.path)});\n`,
        loader: 'js',
      }));
    },
  };
}

/** A switch from module id to a lazy, synchronous require() of that module (esbuild inlines it). */
function requireTable(ids: Iterable<string>): string {
  const cases = [...ids].sort().map((id) => `    case ${JSON.stringify(id)}: return require(${JSON.stringify(`./${id}`)});`);
  return `(id) => {\n  switch (id) {\n${cases.join('\n')}\n  }\n  throw new Error("cc-helper bundle: no module " + id);\n}`;
}

function metafileOf(result: { metafile?: Metafile }): Metafile {
  if (!result.metafile) throw new Error('bundle: esbuild returned no metafile');
  return result.metafile;
}

/** Our modules in a build's output, by id. */
function firstPartyInputs(metafile: Metafile): Set<string> {
  return new Set(Object.keys(metafile.inputs).filter((path) => path.startsWith('dist/src/')));
}

async function buildHot(shared: ReadonlySet<string>, hotGuess: ReadonlySet<string>, cold: Set<string>): Promise<Metafile> {
  const result = await build({
    ...commonOptions(
      // __ccCold: cc-helper-cold.cjs, loaded once on first use and handed this file's modules.
      'var __ccShared, __ccColdTable;\n' +
        'function __ccCold(id) { __ccColdTable ??= require(require("node:path").join(__dirname, "cc-helper-cold.cjs"))(__ccShared); return __ccColdTable(id); }',
    ),
    stdin: {
      // The table first (the cold file may ask for any hot module), then the entry, which runs the CLI.
      contents: `__ccShared = ${requireTable(shared)};\nrequire(${JSON.stringify(`./${distId(CLI_ENTRY)}`)});\n`,
      resolveDir: ROOT,
      sourcefile: 'cc-helper-entry.js',
      loader: 'js',
    },
    outfile: BUNDLE,
    plugins: [coldBoundary(hotGuess, cold), lazyBuiltins, lazyUuid, externals],
  });
  return metafileOf(result);
}

async function bundle(): Promise<void> {
  // 1. The hot file alone, to learn which of our modules it holds (and which import()s go cold).
  //    A module some hot module imports statically is hot even if another one import()s it.
  let hot = new Set<string>();
  let cold = new Set<string>();
  for (let round = 0; ; round++) {
    cold = new Set();
    const inputs = firstPartyInputs(await buildHot(new Set(), hot, cold));
    const settled = [...inputs].every((id) => hot.has(id)) && [...cold].every((id) => !inputs.has(id));
    hot = new Set([...hot, ...inputs]);
    if (settled) break;
    if (round === 5) throw new Error('bundle: the hot/cold split does not settle');
  }
  const missing = [...HOT_ALLOWED].filter((id) => !hot.has(id));
  if (missing.length) throw new Error(`bundle: hot-path modules not found (renamed?): ${missing.join(', ')}; update src/cli/hot-bundle.ts`);
  const extra = [...hot].filter((id) => !HOT_ALLOWED.has(id));
  if (extra.length) {
    throw new Error(
      `bundle: the hot bundle (every git request) would load ${extra.join(', ')}, which src/cli/hot-bundle.ts does not list: ` +
        'load it with await import() where it is needed, or add it to HOT_MEMBERS on purpose',
    );
  }
  // 2. The cold file: the cold entries and whatever only they use; the hot modules they import
  //    are looked up in cc-helper.cjs.
  const shared = new Set<string>();
  const coldResult = await build({
    ...commonOptions('var __ccShared;'),
    stdin: {
      contents: `module.exports = (shared) => {\n  __ccShared = shared;\n  return ${requireTable(cold)};\n};\n`,
      resolveDir: ROOT,
      sourcefile: 'cc-helper-cold-entry.js',
      loader: 'js',
    },
    outfile: COLD_BUNDLE,
    plugins: [sharedBoundary(hot, shared), lazyBuiltins, lazyUuid, externals],
  });
  const coldMetafile = metafileOf(coldResult);
  // 3. The hot file again, now with the table of the modules the cold file asks for.
  const hotMetafile = await buildHot(shared, hot, new Set());
  const duplicated = [...firstPartyInputs(coldMetafile)].filter((id) => hot.has(id));
  if (duplicated.length) throw new Error(`bundle: modules in both files: ${duplicated.join(', ')}`);
  writeFileSync(HOT_METAFILE, JSON.stringify(hotMetafile, null, 1));

  for (const [file, metafile] of [[BUNDLE, hotMetafile], [COLD_BUNDLE, coldMetafile]] as const) {
    const output = metafile.outputs[moduleId(file)];
    if (!output) throw new Error(`bundle: esbuild's metafile does not list ${file}`);
    for (const imported of output.imports) {
      if (!imported.external) continue;
      if (imported.kind === 'dynamic-import') throw new Error(`bundle: import("${imported.path}") left in ${file}; the bins cannot run it`);
      if (isBuiltin(imported.path)) continue;
      checkRequirable(imported.path);
      if (!RUNTIME_DEPENDENCIES.has(packageName(imported.path))) {
        throw new Error(`bundle: ${file} requires "${imported.path}" at run time, but package.json does not list ${packageName(imported.path)} in dependencies: an installed cc-helper would not find it`);
      }
    }
  }
  smokeTestCold();
  await bundleRemoteHelper();
  const cacheSize = makeCodeCache();
  const kb = (file: string) => `${(statSync(file).size / 1024).toFixed(1)} KB`;
  process.stdout.write(
    `bundle: ${moduleId(BUNDLE)} ${kb(BUNDLE)} (${hot.size} of our modules; V8 code cache ${(cacheSize / 1024).toFixed(1)} KB), ` +
      `${moduleId(COLD_BUNDLE)} ${kb(COLD_BUNDLE)} (${cold.size} lazy entries, ${shared.size} modules shared)\n`,
  );
}

/**
 * bin/git-remote-codecommit.js's bundle: self-contained (builtins aside), so that a fetch does not
 * wait for the ESM loader or node_modules; the build stops if anything would be loaded from outside.
 */
async function bundleRemoteHelper(): Promise<void> {
  const result = await build({
    ...commonOptions(''),
    entryPoints: [join(ROOT, distId(REMOTE_HELPER_ENTRY))],
    outfile: REMOTE_BUNDLE,
    plugins: [externals],
  });
  const output = metafileOf(result).outputs[moduleId(REMOTE_BUNDLE)];
  const outside = (output?.imports ?? []).filter((i) => i.external && !i.path.startsWith('node:'));
  if (!output || outside.length > 0) {
    throw new Error(`bundle: ${moduleId(REMOTE_BUNDLE)} must load nothing from node_modules, but imports ${outside.map((i) => i.path).join(', ')}`);
  }
  const run = spawnSync(process.execPath, [join(ROOT, 'bin', 'git-remote-codecommit.js')], { encoding: 'utf8', env: { PATH: process.env.PATH } });
  if (run.status !== 1 || !run.stderr.includes('Too few arguments')) {
    throw new Error(`bundle: bin/git-remote-codecommit.js did not run (exit ${run.status}):\n${run.stdout}${run.stderr}`);
  }
}

/** `--help` reads the usage text from the cold file: proves it loads and links. */
function smokeTestCold(): void {
  const run = spawnSync(process.execPath, [join(ROOT, 'bin', 'cc-helper.js'), '--help'], { encoding: 'utf8', env: { PATH: process.env.PATH } });
  if (run.status !== 0 || !run.stdout.startsWith('usage:') || run.stderr !== '') {
    throw new Error(`bundle: \`cc-helper --help\` failed through the bundles (exit ${run.status}):\n${run.stdout}${run.stderr}`);
  }
}

/**
 * Runs one `get` through the real bin with a throwaway profile, in a child whose preload
 * (code-cache-hook) keeps the bin's compiled script and writes V8's code cache for it at exit:
 * the functions the hot path compiled are in it. Then checks that V8 accepts it.
 */
function makeCodeCache(): number {
  rmSync(CODE_CACHE, { force: true });
  const home = mkdtempSync(join(tmpdir(), 'cc-helper-build-'));
  try {
    const credentials = join(home, 'credentials');
    writeFileSync(credentials, '[build]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n');
    const run = spawnSync(process.execPath, ['--import', join(ROOT, 'dist', 'scripts', 'code-cache-hook.js'), join(ROOT, 'bin', 'cc-helper.js'), '--profile', 'build', 'get'], {
      input: 'protocol=https\nhost=git-codecommit.us-east-1.amazonaws.com\npath=v1/repos/build\n\n',
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        HOME: home,
        AWS_SHARED_CREDENTIALS_FILE: credentials,
        AWS_CONFIG_FILE: join(home, 'config'),
        CC_HELPER_BUILD_BUNDLE: BUNDLE,
        CC_HELPER_BUILD_CODE_CACHE: CODE_CACHE,
      },
    });
    // Also a smoke test: an answer, and not a word on stderr (git shows it on every command).
    if (run.status !== 0 || !run.stdout.includes('password=') || run.stderr !== '' || !existsSync(CODE_CACHE)) {
      throw new Error(`bundle: the bundled helper did not answer a get cleanly (exit ${run.status}):\n${run.stdout}${run.stderr}`);
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  // The wrapper bin/cc-helper.js puts around the bundle: the cache is only valid for that exact text.
  const source = `(function (exports, require, module, __filename, __dirname) {${readFileSync(BUNDLE, 'utf8')}\n})`;
  const check = new Script(source, { filename: BUNDLE, cachedData: readFileSync(CODE_CACHE) });
  if (check.cachedDataRejected) throw new Error('bundle: V8 rejected the code cache it just made');
  return statSync(CODE_CACHE).size;
}

bundle().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});

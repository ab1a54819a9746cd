// Build only (`--import` preload, see scripts/bundle.ts): keeps the vm.Script the bin compiles
// for the bundle and writes V8's code cache for it when the process exits, so the cache holds
// every function the run compiled.
import { writeFileSync } from 'node:fs';
import vm from 'node:vm';

const bundle = process.env.CC_HELPER_BUILD_BUNDLE;
const out = process.env.CC_HELPER_BUILD_CODE_CACHE;
if (!bundle || !out) throw new Error('code-cache-hook: CC_HELPER_BUILD_BUNDLE and CC_HELPER_BUILD_CODE_CACHE must be set');

let kept: vm.Script | undefined;
const Original = vm.Script;
vm.Script = class extends Original {
  constructor(code: string, options?: vm.ScriptOptions) {
    super(code, options);
    if (options?.filename === bundle) kept = this;
  }
};
process.on('exit', () => {
  if (kept) writeFileSync(out, kept.createCachedData());
});

#!/usr/bin/env node
// CommonJS (bin/package.json): Node starts it without its ES module loader; see scripts/build.mjs.
try {
  require('../dist/envid.cjs');
} catch (error) {
  // A checkout installed with --ignore-scripts has no build: say so rather than print a stack.
  if (error.code !== 'MODULE_NOT_FOUND' || !String(error.message).includes('dist/envid.cjs')) throw error;
  process.stderr.write('envid: not built (no dist/envid.cjs): run `npm run build` in the checkout\n');
  process.exitCode = 1;
}

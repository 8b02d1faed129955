#!/usr/bin/env node
// CommonJS (bin/package.json): Node starts it without its ES module loader; see scripts/build.mjs.
try {
  const [, , group, command] = process.argv;
  // kubectl runs its exec plugin on every call: a small bundle answers from the cache when it can.
  const answered =
    group === 'idp' &&
    command === 'kubernetes-credential' &&
    require('../dist/kubernetes-credential.cjs').answerKubernetesCredentialFromCache(process.argv.slice(4));
  if (!answered) require('../dist/envid.cjs');
} catch (error) {
  // A checkout installed with --ignore-scripts has no build: say so rather than print a stack.
  if (error.code !== 'MODULE_NOT_FOUND' || !/dist\/[\w-]+\.cjs/.test(String(error.message))) throw error;
  process.stderr.write('envid: not built (no dist/envid.cjs): run `npm run build` in the checkout\n');
  process.exitCode = 1;
}

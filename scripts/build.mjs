// Bundles the CLI into dist/ in two builds:
// - dist/main.js: the whole CLI, with code splitting, so each command loads only the modules it imports
//   (dynamic import() keeps the server, the database and cloud SDKs out of the token path);
// - dist/envid.cjs: the executable's entry (src/cli/entry.ts) with `envid idp token`'s fast path in one
//   CommonJS file, because every extra module, and Node's ES module loader itself, costs start-up time
//   (measured: ~5 ms of a ~23 ms bare start); anything else it hands to dist/main.js;
// - dist/kubernetes-credential.cjs: the kubectl exec plugin's cached answer alone, which bin/envid.js
//   tries before dist/envid.cjs (loading the latter costs the plugin ~5 ms, a fifth of node's start).
import { readFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

// Start clean: stale chunks of earlier builds would otherwise pile up in dist/.
rmSync('dist', { recursive: true, force: true });

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

const common = {
  outdir: 'dist',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
  // `envid --version` (src/shared/version.ts) without reading package.json at run time.
  define: { ENVID_VERSION: JSON.stringify(version) },
};

await build({ ...common, entryPoints: { main: 'src/cli/main.ts' }, splitting: true });

/** entry.ts imports ./main.ts: at run time that is the split build above, not a second copy. */
const mainIsExternal = {
  name: 'main-is-external',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^\.\/main\.ts$/ }, () => ({ path: './main.js', external: true }));
  },
};
await build({
  ...common,
  format: 'cjs',
  entryPoints: { envid: 'src/cli/entry.ts' },
  outExtension: { '.js': '.cjs' },
  plugins: [mainIsExternal],
});
await build({
  ...common,
  format: 'cjs',
  entryPoints: { 'kubernetes-credential': 'src/cli/kubernetes-credential-cache.ts' },
  outExtension: { '.js': '.cjs' },
});

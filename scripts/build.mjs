// Bundles the CLI into dist/ with code splitting, so each command loads only the modules it imports
// (dynamic import() keeps the server, the database and cloud SDKs out of `envid idp token`).
import { build } from 'esbuild';

await build({
  entryPoints: { main: 'src/cli/main.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
});

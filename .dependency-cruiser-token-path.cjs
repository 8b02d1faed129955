/**
 * `envid idp token`'s fast path (src/cli/entry.ts) must start in a few milliseconds: what it imports
 * statically may not reach the server, the store, a database driver, the HTTP framework, commander or a
 * cloud SDK. Dynamic import() is how everything else is loaded later, so it is left out here.
 */
const base = require('./.dependency-cruiser.cjs');

module.exports = {
  forbidden: [
    {
      name: 'token-fast-path-stays-light',
      severity: 'error',
      from: { path: '^src/cli/(entry|kubernetes-credential-cache)\\.ts$' },
      to: {
        path: [
          '^src/(server|store|services)/',
          '(^|/)node_modules/(pg|@electric-sql/pglite|kysely|fastify|commander|zod|yaml|@bufbuild/cel|@aws-sdk/[^/]+|@azure/[^/]+|google-auth-library)/',
        ],
        reachable: true,
      },
    },
  ],
  // What runs, not what type-checks: a type-only import of commander loads nothing.
  options: { ...base.options, tsPreCompilationDeps: false, exclude: { dynamic: true } },
};

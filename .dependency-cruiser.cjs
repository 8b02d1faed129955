/**
 * The import rules of docs/architecture.md#layers, checked by `npm run lint` (dependency-cruiser):
 * core <- shared <- relying-parties / store <- services <- server / cli, no cycles, database drivers
 * only in the store's driver files. The token fast path has its own rule set
 * (.dependency-cruiser-token-path.cjs), because it is about static imports only.
 */
const layer = (name, from, allowed, comment) => ({
  name,
  comment,
  severity: 'error',
  from: { path: `^src/${from}/` },
  to: { path: '^src/', pathNot: `^src/(${allowed.join('|')})/` },
});

module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      comment: 'A cycle ties modules together so that none can be understood, tested or moved alone.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    layer(
      'core-imports-only-core',
      'core',
      ['core'],
      'core is pure logic and owns the domain types and error codes.',
    ),
    layer(
      'shared-imports-only-core',
      'shared',
      ['core', 'shared'],
      'shared helpers sit below the CLI, the server and the relying parties.',
    ),
    layer(
      'relying-parties-import-core-and-shared',
      'relying-parties',
      ['core', 'shared', 'relying-parties'],
      'a relying party is a plug-in: its rules, exchange and login depend on nothing above them.',
    ),
    layer(
      'store-imports-core-and-shared',
      'store',
      ['core', 'shared', 'store'],
      "the store keeps core's records; it knows no service, route or command.",
    ),
    layer(
      'services-import-core-store-shared',
      'services',
      ['core', 'shared', 'store', 'services'],
      'a service is authorization plus store access, called by every interface; it knows none of them.',
    ),
    {
      name: 'server-does-not-import-cli',
      comment: 'the server is one of the interfaces; the CLI starts it, never the other way round.',
      severity: 'error',
      from: { path: '^src/server/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'cli-loads-server-and-store-only-dynamically',
      comment:
        '`envid serve` loads the server with import(); no other command may pull it (or the store) in.',
      severity: 'error',
      from: { path: '^src/cli/' },
      to: { path: '^src/(server|store)/', dynamic: false },
    },
    {
      name: 'database-drivers-only-in-store-drivers',
      comment:
        'one file per engine opens its driver (src/store/sql/drivers); everything else sees the Store.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/store/sql/drivers/' },
      to: { path: '(^|/)node_modules/(pg|@electric-sql/pglite)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a type that runs the wrong way is a dependency the wrong way.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};

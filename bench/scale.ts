// `npm run bench:scale`: the organization-wide API calls at scale (issue 11). For each engine (PGlite,
// and PostgreSQL on a database of its own), seeds an organization of 50,000 principals with a project
// of 10,000 environments (set-based inserts), starts `envid serve` on it and times over HTTP:
// PreviewOIDCConfig, UpdateOIDCConfig with confirmSubChange (alternating between two configurations)
// and DeleteProject force on the big project. Prints a table; asserts nothing (see BENCHMARKS.md).

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateSecret } from '../src/core/credentials.ts';
import { openStore } from '../src/store/open-store.ts';
import { createTestDatabase } from '../test/support/databases.ts';
import { type OrganizationShape, seedOrganization } from '../test/support/seed-organization.ts';
import { cpuSeconds, startProcess, stopAll } from './child-process.ts';
import { databaseUrlOption } from './database-url-option.ts';
import { describeMachine } from './machine.ts';

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    engines: { type: 'string', default: 'pglite,postgres' },
    /** Another build's bin/envid.js (e.g. the main branch's), to time the code path before this one. */
    'envid-bin': { type: 'string' },
    /** Node flags for the server, e.g. `--cpu-prof --cpu-prof-dir=DIR`. */
    'node-args': { type: 'string', default: '' },
    'database-url': databaseUrlOption,
  },
});
const rounds = Number(flags.rounds);
const log = (message: string) => process.stderr.write(`bench:scale: ${message}\n`);
const envidBin = flags['envid-bin'] ?? join(import.meta.dirname, '../bin/envid.js');
const workDir = mkdtempSync(join(tmpdir(), 'envid-bench-scale-'));
setTimeout(() => {
  log('gave up after 1800 s');
  void stopAll().then(() => process.exit(1));
}, 1_800_000).unref();

/** 50,000 principals: 5,000 members, 1,000 service accounts, 200 runners, 43,800 live environments. */
const shape: OrganizationShape = {
  members: 5_000,
  formerMembers: 200,
  serviceAccounts: 1_000,
  runners: 200,
  projects: 100,
  environments: 33_800,
  bigProjectEnvironments: 10_000,
};
/** Two configurations that give every principal a different sub: each update alters them all. */
const configs = [
  { v3: { extraSubFields: ['environment_initializers.git.remote_uri', 'creator_email'] } },
  { v3: { extraSubFields: [] } },
];

interface Timings {
  engine: string;
  principals: number;
  seedSeconds: number;
  preview: number[];
  update: number[];
  /** CPU milliseconds the envid process spent on each (the database too, on PGlite). */
  previewCpu: number[];
  updateCpu: number[];
  subChangeCount: number;
  deleteProject: number;
  deleteProjectCpu: number;
  deletedEnvironments: number;
}

async function call(url: string, pid: number | undefined, method: string, body: object, token: string) {
  const cpuBefore = cpuSeconds(pid);
  const started = performance.now();
  const response = await fetch(`${url}/api/gitpod.v1.${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as any;
  const ms = performance.now() - started;
  const cpuMs = (cpuSeconds(pid) - cpuBefore) * 1000;
  if (!response.ok) throw new Error(`${method} answered ${response.status} ${JSON.stringify(answer)}`);
  return { ms, cpuMs, answer };
}

async function measure(engine: 'pglite' | 'postgres'): Promise<Timings> {
  const dataDir = join(workDir, engine);
  mkdirSync(dataDir, { mode: 0o700 });
  const database =
    engine === 'postgres' ? await createTestDatabase(flags['database-url'], 'envid_bench') : undefined;
  try {
    const seedStarted = performance.now();
    const store = await openStore(
      database ? { databaseUrl: database.url } : { dataDir: join(dataDir, 'pglite') },
    );
    const seeded = await seedOrganization(store, shape).finally(() => store.close());
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    log(`${engine}: seeded ${seeded.principals} principals in ${seedSeconds.toFixed(1)} s`);
    const adminToken = generateSecret('installation_admin');
    const nodeArgs = flags['node-args'] ? flags['node-args'].split(' ') : [];
    const started = await startProcess({
      args: [
        ...nodeArgs,
        envidBin,
        'serve',
        '--port',
        '0',
        '--data-dir',
        dataDir,
        ...(database ? ['--database-url', database.url] : []),
        // The baseline's page-by-page reads may need more than the default 5 s for one statement.
        ...(database && flags['envid-bin'] ? ['--database-query-timeout', '120'] : []),
      ],
      env: { ENVID_BOOTSTRAP_TOKEN: adminToken, ENVID_LOG_LEVEL: 'warn' },
      logFile: join(workDir, `${engine}.log`),
      ready: /envid listening on (http:\/\/\S+)/,
    });
    const url = started.match;
    const pid = started.process.child.pid;
    try {
      const organizationId = seeded.organizationId;
      const timings: Timings = {
        engine,
        principals: seeded.principals,
        seedSeconds,
        preview: [],
        update: [],
        previewCpu: [],
        updateCpu: [],
        subChangeCount: 0,
        deleteProject: 0,
        deleteProjectCpu: 0,
        deletedEnvironments: shape.bigProjectEnvironments,
      };
      for (let round = 0; round < rounds; round++) {
        const oidcConfig = configs[round % 2]!;
        const preview = await call(
          url,
          pid,
          'OrganizationService/PreviewOIDCConfig',
          { organizationId, oidcConfig },
          adminToken,
        );
        timings.preview.push(preview.ms);
        timings.previewCpu.push(preview.cpuMs);
        timings.subChangeCount = preview.answer.subChangeCount;
        const update = await call(
          url,
          pid,
          'OrganizationService/UpdateOIDCConfig',
          { organizationId, oidcConfig, confirmSubChange: true },
          adminToken,
        );
        timings.update.push(update.ms);
        timings.updateCpu.push(update.cpuMs);
      }
      const deleted = await call(
        url,
        pid,
        'ProjectService/DeleteProject',
        { projectId: seeded.bigProjectId, force: true },
        adminToken,
      );
      timings.deleteProject = deleted.ms;
      timings.deleteProjectCpu = deleted.cpuMs;
      return timings;
    } finally {
      await started.process.stop();
    }
  } finally {
    await database?.drop();
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};
const ms = (value: number) => value.toFixed(0);

try {
  const results: Timings[] = [];
  for (const engine of flags.engines.split(',') as ('pglite' | 'postgres')[])
    results.push(await measure(engine));
  const machine = describeMachine();
  process.stdout.write(
    `${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}, ${machine.date.slice(0, 10)}, ` +
      `load average ${loadavg()[0]!.toFixed(1)}; ${rounds} rounds: median (max) ms, and the envid ` +
      "process's median CPU ms (the database's too on PGlite)\n\n",
  );
  process.stdout.write(
    '| engine | principals | PreviewOIDCConfig | CPU | UpdateOIDCConfig | CPU | subs changed | DeleteProject force | CPU |\n' +
      '|---|---|---|---|---|---|---|---|---|\n',
  );
  for (const r of results) {
    process.stdout.write(
      `| ${r.engine} | ${r.principals} | ${ms(median(r.preview))} (${ms(Math.max(...r.preview))}) | ` +
        `${ms(median(r.previewCpu))} | ${ms(median(r.update))} (${ms(Math.max(...r.update))}) | ` +
        `${ms(median(r.updateCpu))} | ${r.subChangeCount} | ${ms(r.deleteProject)} ` +
        `(${r.deletedEnvironments} environments) | ${ms(r.deleteProjectCpu)} |\n`,
    );
  }
} finally {
  await stopAll();
  rmSync(workDir, { recursive: true, force: true });
}

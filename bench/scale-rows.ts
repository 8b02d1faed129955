// `npm run bench -- --scale` (issue 17): the token path and ListAuditEvents on a database holding a
// large installation (100,000 environments, 10 million audit rows over 12 months by default) against
// the empty one of the same run, and the embedded database's start-up on a data directory of that size.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type AuditQueryResult, auditFilters, measureAuditQuery } from './audit-queries.ts';
import { type EnvidTarget, startEnvidTarget } from './envid-target.ts';
import { type LargeDatabase, type LargeDatabaseSize, seedLargeDatabase } from './large-database.ts';
import { createPgliteDataDir, measurePgliteStartup, pgliteDir } from './pglite-startup.ts';

export interface ScaleOptions {
  adminUrl: string;
  environments: number;
  auditRows: number;
  /** ListAuditEvents calls per filter (each filter also stops after `auditBudgetMs`). */
  auditCalls: number;
  startupRuns: number;
  workDir: string;
  log: (message: string) => void;
}

export interface ScaledTarget {
  target: EnvidTarget;
  facts: LargeDatabase;
  size: LargeDatabaseSize;
}

const auditBudgetMs = 60_000;

const sizeOf = (options: ScaleOptions): LargeDatabaseSize => ({
  environments: options.environments,
  auditRows: options.auditRows,
  now: new Date(),
  months: 12,
});

/** A second envid server (same flags as the empty one) on a PostgreSQL database seeded large first. */
export async function startScaledTarget(
  options: ScaleOptions & { environmentTokens: number; logLevel: string },
): Promise<ScaledTarget> {
  const size = sizeOf(options);
  let facts: LargeDatabase | undefined;
  const target = await startEnvidTarget({
    adminUrl: options.adminUrl,
    environments: options.environmentTokens,
    logLevel: options.logLevel,
    workDir: options.workDir,
    logName: 'envid-scaled.log',
    prepareDatabase: async (databaseUrl) => {
      facts = await seedLargeDatabase({ databaseUrl }, size, options.log);
    },
  });
  return { target, facts: facts!, size };
}

/** ListAuditEvents with each filter on the empty server's database and on the large one. */
export async function measureAuditQueries(
  options: ScaleOptions,
  empty: EnvidTarget,
  scaled: ScaledTarget,
): Promise<string[]> {
  const rows: string[] = [];
  for (const { name, body } of auditFilters(scaled.facts, scaled.size.now)) {
    options.log(`ListAuditEvents by ${name}: ${options.auditCalls} calls on each database`);
    const on = (target: EnvidTarget) =>
      measureAuditQuery({
        url: target.url,
        adminToken: target.adminToken,
        name,
        body,
        calls: options.auditCalls,
        budgetMs: auditBudgetMs,
      });
    const small = await on(empty);
    const large = await on(scaled.target);
    for (const failure of [small.firstFailure, large.firstFailure])
      if (failure) options.log(`ListAuditEvents by ${name} failed: ${failure}`);
    rows.push(
      `| ${name} | ${cell(small)} | ${cell(large)} | ${(large.p99 / small.p99).toFixed(1)} | ${large.failed + small.failed} |`,
    );
  }
  return [
    `ListAuditEvents, first page (25 events), one call at a time as the installation admin, ms; the ` +
      `empty database holds this run's own token records only, the large one ${scaled.size.auditRows} ` +
      `audit rows over ${scaled.size.months} months and ${scaled.size.environments} environments:`,
    '',
    '| filter | empty: calls, p50 / p99 | large: calls, p50 / p99 | p99 large / empty | failed |',
    '|---|---|---|---|---|',
    ...rows,
  ];
}

const cell = (result: AuditQueryResult) =>
  `${result.calls}, ${result.p50.toFixed(1)} / ${result.p99.toFixed(1)}`;

/** The embedded database seeded the same way, and `envid serve` start-ups on it against an empty one. */
export async function measurePgliteScale(options: ScaleOptions): Promise<string[]> {
  const size = sizeOf(options);
  const emptyDir = await createPgliteDataDir(options.workDir, 'pglite-empty');
  const largeDir = await createPgliteDataDir(options.workDir, 'pglite-large');
  await seedLargeDatabase({ dataDir: pgliteDir(largeDir) }, size, options.log);
  options.log(`PGlite start-up: ${options.startupRuns} of each, alternated`);
  const startup = await measurePgliteStartup({
    emptyDir,
    largeDir,
    runs: options.startupRuns,
    workDir: options.workDir,
  });
  const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
  return [
    `PGlite: \`envid serve --data-dir\` from spawn to listening, median of ${startup.runs}, alternated ` +
      '(one untimed start each first):',
    '',
    '| data directory | size MiB | start-up ms |',
    '|---|---|---|',
    `| empty | ${mib(directoryBytes(emptyDir))} | ${startup.emptyMs.toFixed(0)} |`,
    `| ${size.environments} environments, ${size.auditRows} audit rows | ${mib(directoryBytes(largeDir))} | ` +
      `${startup.largeMs.toFixed(0)} (${(startup.largeMs / startup.emptyMs).toFixed(2)}x) |`,
  ];
}

function directoryBytes(dir: string): number {
  let bytes = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) bytes += statSync(join(entry.parentPath ?? entry.path, entry.name)).size;
  }
  return bytes;
}

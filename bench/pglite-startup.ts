import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../src/store/open-store.ts';
import { startProcess } from './child-process.ts';
import { percentileOf } from './percentile.ts';

const envidBin = join(import.meta.dirname, '../bin/envid.js');

/** Median time from spawning `envid serve` on a data directory to its "listening" line. */
export interface StartupResult {
  runs: number;
  emptyMs: number;
  largeMs: number;
}

/** A fresh embedded-database data directory under `parent`, migrated; `serve --data-dir` takes it. */
export async function createPgliteDataDir(parent: string, name: string): Promise<string> {
  const dataDir = join(parent, name);
  mkdirSync(dataDir, { mode: 0o700 });
  await (await openStore({ dataDir: pgliteDir(dataDir) })).close();
  return dataDir;
}

/** Where `envid serve --data-dir D` keeps its embedded database. */
export const pgliteDir = (dataDir: string) => join(dataDir, 'pglite');

/**
 * `envid serve` start-ups on two existing data directories, alternated so both share the machine's
 * moments. One untimed start each first: it creates the signing key, which later starts only read.
 */
export async function measurePgliteStartup(options: {
  emptyDir: string;
  largeDir: string;
  runs: number;
  workDir: string;
}): Promise<StartupResult> {
  const start = async (dataDir: string) => {
    const started = performance.now();
    const server = await startProcess({
      args: [envidBin, 'serve', '--port', '0', '--data-dir', dataDir],
      env: { ENVID_LOG_LEVEL: 'warn' },
      logFile: join(options.workDir, 'pglite-startup.log'),
      ready: /envid listening on (http:\/\/\S+)/,
      timeoutMs: 300_000,
    });
    const ms = performance.now() - started;
    await server.process.stop();
    return ms;
  };
  await start(options.emptyDir);
  await start(options.largeDir);
  const empty: number[] = [];
  const large: number[] = [];
  for (let run = 0; run < options.runs; run++) {
    empty.push(await start(options.emptyDir));
    large.push(await start(options.largeDir));
  }
  return { runs: options.runs, emptyMs: percentileOf(empty, 0.5), largeMs: percentileOf(large, 0.5) };
}

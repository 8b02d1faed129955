import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { overPglite } from '../../src/store/sql/drivers/pglite.ts';
import { migrate } from '../../src/store/sql/migrate.ts';
import { SqlStore } from '../../src/store/sql/sql-store.ts';
import type { Store } from '../../src/store/store.ts';
import { testRunDir } from './test-run.ts';
import { waitFor } from './wait-for.ts';

/**
 * An in-memory PGlite store loaded from the run's migrated, empty template (a tarball made once per run
 * by whichever test needs it first), or undefined outside a run with the global set-up. What
 * `openStore({})` gives, without its initdb and migrations: seconds less for each test file.
 */
export async function openMemoryStoreFromTemplate(): Promise<Store | undefined> {
  const runDir = testRunDir();
  if (runDir === undefined) return undefined;
  const tarball = join(runDir, 'pglite-memory-template.tar');
  if (!existsSync(tarball)) await makeTemplate(tarball, join(runDir, 'pglite-memory-template.lock'));
  const database = overPglite(
    await PGlite.create({ loadDataDir: new Blob([readFileSync(tarball)]) }),
    async () => {},
  );
  // Nothing to apply, unless the template is older than the migrations (it never is within a run).
  await database.withoutDeadlines((db) => migrate(db));
  return new SqlStore('pglite', database);
}

async function makeTemplate(tarball: string, lock: string): Promise<void> {
  try {
    mkdirSync(lock);
  } catch {
    await waitFor('the in-memory PGlite template', () => existsSync(tarball), 120_000);
    return;
  }
  try {
    const pg = await PGlite.create();
    const database = overPglite(pg, async () => {});
    await database.withoutDeadlines((db) => migrate(db));
    const dump = await pg.dumpDataDir('none');
    // Written under another name and renamed: a reader never sees half a tarball.
    writeFileSync(`${tarball}.partial`, Buffer.from(await dump.arrayBuffer()));
    await database.close();
    renameSync(`${tarball}.partial`, tarball);
  } catch (error) {
    rmSync(lock, { recursive: true, force: true });
    throw error;
  }
}

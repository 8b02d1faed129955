import { constants, cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../../src/store/open-store.ts';
import { testRunDir } from './test-run.ts';
import { waitFor } from './wait-for.ts';

/**
 * The run's migrated, empty embedded database (no credential, no key, no master key: what envid serve
 * finds is a fresh installation), made once per run by whichever test needs it first and copied into
 * the data directory of each `envid serve` a test starts: creating a PGlite database costs seconds
 * (initdb), a copy a fraction of one. Answers false, copying nothing, outside a run with the global
 * set-up.
 */
export async function copyPgliteTemplate(dataDir: string): Promise<boolean> {
  const runDir = testRunDir();
  if (runDir === undefined) return false;
  const template = join(runDir, 'pglite-template');
  const ready = join(runDir, 'pglite-template.ready');
  if (!existsSync(ready)) await makeTemplate(template, ready, join(runDir, 'pglite-template.lock'));
  // A copy-on-write clone where the file system has them (btrfs, XFS), a plain copy elsewhere.
  cpSync(template, join(dataDir, 'pglite'), { recursive: true, mode: constants.COPYFILE_FICLONE });
  return true;
}

/** One maker among the workers (and concurrent calls in one): the first to create the lock directory. */
async function makeTemplate(template: string, ready: string, lock: string): Promise<void> {
  try {
    mkdirSync(lock);
  } catch {
    await waitFor('the PGlite template database', () => existsSync(ready), 120_000);
    return;
  }
  try {
    const store = await openStore({ dataDir: template });
    await store.close();
    writeFileSync(ready, '');
  } catch (error) {
    rmSync(template, { recursive: true, force: true });
    rmSync(lock, { recursive: true, force: true });
    throw error;
  }
}

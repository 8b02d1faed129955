import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.ts';
import { ensureBootstrapCredential } from '../../src/server/bootstrap.ts';
import { loadMasterKey } from '../../src/server/keys/load-master-key.ts';
import { newOrganization } from '../../src/store/conformance/fixtures.ts';
import { openStore } from '../../src/store/open-store.ts';
import { restrictTree } from '../../src/store/private-dir.ts';
import type { SqlStore } from '../../src/store/sql/sql-store.ts';

/**
 * The data directory (master key, bootstrap token, the embedded database: personal data and the audit
 * log) is for its owner alone: directories 0700, files 0600, whatever the umask, including the files
 * PGlite creates while it runs (PGlite used to leave 0666 files in 0755 directories).
 */
const temporaryDirs: string[] = [];
afterAll(() => {
  for (const dir of temporaryDirs) rmSync(dir, { recursive: true, force: true });
});
const temporaryDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'envid-modes-'));
  temporaryDirs.push(dir);
  return dir;
};

/** Every path under `root` (itself included) whose mode is not 0700 (directories) or 0600 (files). */
function looseModes(root: string): string[] {
  const loose: string[] = [];
  const pending = [root];
  let seen = 0;
  while (pending.length > 0) {
    const path = pending.pop()!;
    const stat = lstatSync(path);
    seen++;
    const mode = stat.mode & 0o7777;
    if (mode !== (stat.isDirectory() ? 0o700 : 0o600)) loose.push(`${mode.toString(8)} ${path}`);
    if (stat.isDirectory()) for (const entry of readdirSync(path)) pending.push(join(path, entry));
  }
  expect(seen).toBeGreaterThan(1);
  return loose;
}

describe('data directory modes', () => {
  let umask: number;
  beforeEach(() => {
    umask = process.umask(0); // the most permissive: nothing is taken away from what is asked for
  });
  afterEach(() => {
    process.umask(umask);
  });

  it('a new data directory is owner-only after open, writes that make new files, and close', async () => {
    const dataDir = join(temporaryDir(), 'envid');
    // As `envid serve` does: the master key, the embedded database, the bootstrap token.
    loadMasterKey({}, dataDir);
    const store = await openStore({ dataDir: join(dataDir, 'pglite') });
    try {
      // Before anything else sweeps the tree: what PGlite itself left.
      expect(looseModes(dataDir)).toEqual([]);
      await ensureBootstrapCredential(store, new ManualClock(new Date()), { dataDir });
      expect(looseModes(dataDir)).toEqual([]);
      // New relation files, a new WAL segment, a checkpoint: files PostgreSQL creates while running.
      const before = readdirSync(join(dataDir, 'pglite', 'pg_wal')).length;
      const { db } = store as SqlStore;
      await store.organizations.insert(newOrganization());
      await sql`create table filler (id int primary key, text text)`.execute(db);
      await sql`create index filler_text on filler (text)`.execute(db);
      await sql`insert into filler select g, repeat(md5(g::text), 20) from generate_series(1, 5000) g`.execute(
        db,
      );
      await sql`select pg_switch_wal()`.execute(db);
      await sql`checkpoint`.execute(db);
      expect(readdirSync(join(dataDir, 'pglite', 'pg_wal')).length).toBeGreaterThanOrEqual(before);
      expect(looseModes(dataDir)).toEqual([]);
    } finally {
      await store.close();
    }
    expect(looseModes(dataDir)).toEqual([]);
  });

  it('an existing data directory with looser modes is tightened when opened', async () => {
    const dataDir = join(temporaryDir(), 'envid');
    const first = await openStore({ dataDir });
    await first.close();
    // As an older envid (or a copy with another umask) left it.
    chmodSync(dataDir, 0o755);
    mkdirSync(join(dataDir, 'extra'), { mode: 0o777 });
    writeFileSync(join(dataDir, 'extra', 'notes'), 'x', { mode: 0o666 });
    chmodSync(join(dataDir, 'PG_VERSION'), 0o644);
    chmodSync(join(dataDir, 'base'), 0o755);
    expect(looseModes(dataDir).length).toBeGreaterThanOrEqual(5);
    const store = await openStore({ dataDir });
    try {
      expect(looseModes(dataDir)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('restrictTree leaves symbolic links alone and does not follow them', () => {
    const root = temporaryDir();
    const outside = join(root, 'outside');
    writeFileSync(outside, 'x', { mode: 0o644 });
    const dataDir = join(root, 'data');
    mkdirSync(dataDir, { mode: 0o777 });
    writeFileSync(join(dataDir, 'file'), 'x', { mode: 0o666 });
    symlinkSync(outside, join(dataDir, 'link'));
    restrictTree(dataDir);
    expect(lstatSync(dataDir).mode & 0o7777).toBe(0o700);
    expect(lstatSync(join(dataDir, 'file')).mode & 0o7777).toBe(0o600);
    expect(lstatSync(outside).mode & 0o7777).toBe(0o644);
  });
});

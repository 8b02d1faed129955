import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/store.ts';
import { openMemoryStoreFromTemplate } from './pglite-memory-template.ts';

/** The PostgreSQL server tests may use; CI always sets it. The PostgreSQL suites skip without it. */
export const postgresAdminUrl = process.env.ENVID_TEST_DATABASE_URL;

export type Engine = 'pglite' | 'postgres';

/** Every engine this run can test: PGlite always, PostgreSQL when ENVID_TEST_DATABASE_URL is set. */
export const engines: Engine[] = postgresAdminUrl ? ['pglite', 'postgres'] : ['pglite'];

/** Why the PostgreSQL-only suites skip, or undefined when they run. */
export const noPostgres = postgresAdminUrl
  ? undefined
  : 'ENVID_TEST_DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/postgres)';

/**
 * A fresh, uniquely named database on the test PostgreSQL server (or `adminUrl`'s), dropped by `drop()`.
 * `prefix` tells whose it is when one is left behind (tests, the benchmark).
 */
export async function createTestDatabase(
  adminUrl = postgresAdminUrl,
  prefix = 'envid_test',
): Promise<{ url: string; drop(): Promise<void> }> {
  if (!adminUrl) throw new Error('ENVID_TEST_DATABASE_URL is not set');
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const withAdmin = <T>(work: (client: pg.Client) => Promise<T>) => withClient(adminUrl, work);
  await withAdmin((client) => client.query(`create database ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () =>
      withAdmin((client) => client.query(`drop database if exists ${name} with (force)`)).then(() => {}),
  };
}

async function withClient<T>(connectionString: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A migrated, empty store on `engine`; `dispose()` closes it and drops its database. */
export async function openTestStore(engine: Engine): Promise<{ store: Store; dispose(): Promise<void> }> {
  if (engine === 'pglite') {
    const store = (await openMemoryStoreFromTemplate()) ?? (await openStore({}));
    return { store, dispose: () => store.close() };
  }
  const database = await createTestDatabase();
  const store = await openStore({ databaseUrl: database.url });
  return {
    store,
    dispose: async () => {
      await store.close();
      await database.drop();
    },
  };
}

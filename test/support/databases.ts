import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/store.ts';

/** The PostgreSQL server tests may use; CI always sets it. The PostgreSQL suites skip without it. */
export const postgresAdminUrl = process.env.ENVID_TEST_DATABASE_URL;

export type Engine = 'pglite' | 'postgres';

/** Every engine this run can test: PGlite always, PostgreSQL when ENVID_TEST_DATABASE_URL is set. */
export const engines: Engine[] = postgresAdminUrl ? ['pglite', 'postgres'] : ['pglite'];

/** A fresh, uniquely named database on the test PostgreSQL server, dropped by `drop()`. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  if (!postgresAdminUrl) throw new Error('ENVID_TEST_DATABASE_URL is not set');
  const name = `envid_test_${randomBytes(6).toString('hex')}`;
  await withAdmin((client) => client.query(`create database ${name}`));
  const url = new URL(postgresAdminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () =>
      withAdmin((client) => client.query(`drop database if exists ${name} with (force)`)).then(() => {}),
  };
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgresAdminUrl });
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
    const store = await openStore({});
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

import type { Store } from './store.ts';

export interface StoreOptions {
  /** A PostgreSQL URL; when absent, the embedded database is used. */
  databaseUrl?: string;
  /** The embedded database's directory; in memory when absent. */
  dataDir?: string;
  /** PostgreSQL only: deadlines for opening a connection and for one statement. */
  connectTimeoutMs?: number;
  queryTimeoutMs?: number;
}

/** Opens the configured database, applies pending migrations and answers the Store. */
export async function openStore(options: StoreOptions): Promise<Store> {
  const [{ SqlStore }, { migrate }] = await Promise.all([
    import('./sql/sql-store.ts'),
    import('./sql/migrate.ts'),
  ]);
  const database = options.databaseUrl
    ? await (await import('./sql/drivers/postgres.ts')).openPostgres(options.databaseUrl, {
        ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
        ...(options.queryTimeoutMs !== undefined ? { queryTimeoutMs: options.queryTimeoutMs } : {}),
      })
    : await (await import('./sql/drivers/pglite.ts')).openPglite(options.dataDir);
  try {
    await database.withoutDeadlines((db) => migrate(db));
  } catch (error) {
    await database.close();
    throw error;
  }
  return new SqlStore(options.databaseUrl ? 'postgres' : 'pglite', database);
}

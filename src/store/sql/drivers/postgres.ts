import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';

/** A real PostgreSQL server through a connection pool. */
export async function openPostgres(
  databaseUrl: string,
  options: { maxConnections?: number } = {},
): Promise<{ db: Kysely<any>; close(): Promise<void> }> {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: 5_000,
  });
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
  return { db, close: () => db.destroy() };
}

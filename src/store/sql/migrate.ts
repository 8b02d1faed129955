import { type Kysely, sql } from 'kysely';
import { DatabaseError } from '../errors.ts';
import { migrations as allMigrations, type Migration } from './migrations/index.ts';

/** Any constant: replicas starting together take this advisory lock so each migration runs once. */
const migrationLockKey = 7_361_002;

/**
 * Applies the migrations not yet recorded in `schema_migrations`, each in its own transaction
 * together with its record, so a failed migration leaves no trace and a restart retries it.
 */
export async function migrate(db: Kysely<any>, migrations: Migration[] = allMigrations): Promise<string[]> {
  // Under the lock too: two `create table if not exists` racing can both try to create (a unique
  // violation in pg_type), so replicas starting together would crash.
  await db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(${migrationLockKey})`.execute(tx);
    await sql`create table if not exists schema_migrations (
      id text primary key,
      applied_at timestamptz not null default now()
    )`.execute(tx);
  });
  const applied: string[] = [];
  for (const migration of migrations) {
    const ran = await db.transaction().execute(async (tx) => {
      await sql`select pg_advisory_xact_lock(${migrationLockKey})`.execute(tx);
      const done = await sql`select 1 from schema_migrations where id = ${migration.id}`.execute(tx);
      if (done.rows.length > 0) return false;
      await sql
        .raw(migration.up)
        .execute(tx)
        .catch((error: unknown) => {
          throw migrationFailed(migration.id, error);
        });
      await sql`insert into schema_migrations (id) values (${migration.id})`.execute(tx);
      return true;
    });
    if (ran) applied.push(migration.id);
  }
  return applied;
}

/**
 * A migration's own statements hold no user data, so the operator gets the database's message (what to
 * fix); the store's other errors never carry it.
 */
function migrationFailed(id: string, error: unknown): Error {
  const driverError = error instanceof DatabaseError ? error.driverError() : error;
  const reason = driverError instanceof Error ? driverError.message : String(driverError);
  return new Error(`migration ${id} failed: ${reason}`, { cause: error });
}

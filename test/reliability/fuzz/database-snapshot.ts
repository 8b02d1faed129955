import { type Kysely, sql } from 'kysely';
import type { Store } from '../../../src/store/store.ts';

/**
 * Every table of a store's database in brief (row count and a hash of its rows in a fixed order), to
 * prove that a refused call changed nothing, and the rows themselves, to put a database back as it was
 * after a call that changed it. Generic over the tables the migrations made, so a table added later is
 * watched without a change here.
 */

export type DatabaseSnapshot = Record<string, { rows: number; hash: string }>;

/** Each table's rows as JSON text (jsonb_populate_recordset reads them back exactly). */
export type DatabaseRows = Record<string, string>;

/** The Kysely instance under the store (SqlStore keeps it as `db`, inside a transaction too). */
function databaseOf(store: Store): Kysely<any> {
  const db = (store as unknown as { db?: Kysely<any> }).db;
  if (!db) throw new Error('the store has no SQL database to snapshot (expected the SQL store)');
  return db;
}

export async function listTables(store: Store): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`.execute(
    databaseOf(store),
  );
  return rows.map((row) => row.name);
}

const unionAll = (parts: ReturnType<typeof sql>[]) => sql.join(parts, sql` union all `);

export async function snapshotDatabase(store: Store, tables: string[]): Promise<DatabaseSnapshot> {
  const { rows } = await sql<{ name: string; rows: number; hash: string }>`${unionAll(
    tables.map(
      (table) =>
        sql`select ${table}::text as name, count(*)::int as rows,
          coalesce(md5(string_agg(t::text, E'\n' order by t::text)), '') as hash from ${sql.table(table)} t`,
    ),
  )}`.execute(databaseOf(store));
  return Object.fromEntries(rows.map((row) => [row.name, { rows: row.rows, hash: row.hash }]));
}

/** The tables whose contents differ, each as `table: rows before -> after`. */
export function differingTables(before: DatabaseSnapshot, after: DatabaseSnapshot): string[] {
  const tables = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return tables
    .filter(
      (table) => before[table]?.hash !== after[table]?.hash || before[table]?.rows !== after[table]?.rows,
    )
    .map((table) => `${table}: ${before[table]?.rows ?? 'none'} -> ${after[table]?.rows ?? 'none'} rows`);
}

export async function readRows(store: Store, tables: string[]): Promise<DatabaseRows> {
  const { rows } = await sql<{ name: string; rows: string }>`${unionAll(
    tables.map(
      (table) =>
        sql`select ${table}::text as name, coalesce(json_agg(t), '[]')::text as rows from ${sql.table(table)} t`,
    ),
  )}`.execute(databaseOf(store));
  return Object.fromEntries(rows.map((row) => [row.name, row.rows]));
}

/**
 * Puts `tables` back to `rows`, in one transaction. Foreign-key triggers are off meanwhile (the rows
 * were consistent when read, and every table a cascade touched is among those restored), so the order
 * does not matter. Nothing is announced: the caller tells the server's caches.
 */
export async function restoreRows(store: Store, rows: DatabaseRows, tables: string[]): Promise<void> {
  await store.transaction(async (tx) => {
    const db = databaseOf(tx);
    await sql`set local session_replication_role = replica`.execute(db);
    for (const table of tables) {
      const name = sql.table(table);
      await sql`delete from ${name}`.execute(db);
      await sql`insert into ${name} select * from jsonb_populate_recordset(null::${name}, ${rows[table] ?? '[]'}::jsonb)`.execute(
        db,
      );
    }
  });
}

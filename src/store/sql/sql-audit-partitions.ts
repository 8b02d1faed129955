import { type Kysely, sql } from 'kysely';
import {
  type AuditPartition,
  type AuditPartitions,
  monthStart,
  partitionName,
  partitionOf,
} from '../audit-partitions.ts';

/** Held (transaction-scoped) by every change of the partition set, across all servers on the database. */
const lock = 'audit-partitions';

/** The audit log's month partitions on PostgreSQL native partitioning (migration 0011). */
export class SqlAuditPartitions implements AuditPartitions {
  constructor(private readonly db: Kysely<any>) {}

  async list(): Promise<AuditPartition[]> {
    return listPartitions(this.db);
  }

  async ensure(now: Date, monthsAhead: number): Promise<AuditPartition[]> {
    return this.db.transaction().execute(async (tx) => {
      await sql`select pg_advisory_xact_lock(hashtext(${lock}))`.execute(tx);
      const existing = new Set((await listPartitions(tx)).map((partition) => partition.name));
      const created: AuditPartition[] = [];
      for (let offset = 0; offset <= monthsAhead; offset++) {
        const from = monthStart(now, offset);
        const name = partitionName(from);
        if (existing.has(name)) continue;
        const before = monthStart(from, 1);
        // PostgreSQL refuses a new partition while the default one holds rows of its range: move them.
        await sql`create temporary table audit_events_moving (like audit_events) on commit drop`.execute(tx);
        await sql`with moved as (
            delete from audit_events_default where created_at >= ${from} and created_at < ${before} returning *
          ) insert into audit_events_moving select * from moved`.execute(tx);
        await sql
          .raw(
            `create table ${name} partition of audit_events for values from ('${from.toISOString()}') to ('${before.toISOString()}')`,
          )
          .execute(tx);
        await sql`insert into audit_events select * from audit_events_moving`.execute(tx);
        await sql`drop table audit_events_moving`.execute(tx);
        created.push({ name, from, before });
      }
      return created;
    });
  }

  async dropEndingBy(cutoff: Date): Promise<Array<AuditPartition & { rows: number }>> {
    return this.db.transaction().execute(async (tx) => {
      await sql`select pg_advisory_xact_lock(hashtext(${lock}))`.execute(tx);
      const dropped: Array<AuditPartition & { rows: number }> = [];
      for (const partition of await listPartitions(tx)) {
        if (partition.before.getTime() > cutoff.getTime()) continue;
        const counted = await sql<{
          rows: string;
        }>`select count(*) as rows from ${sql.table(partition.name)}`.execute(tx);
        await sql`drop table ${sql.table(partition.name)}`.execute(tx);
        dropped.push({ ...partition, rows: Number(counted.rows[0]?.rows ?? 0) });
      }
      await sql`delete from audit_events_default where created_at < ${cutoff}`.execute(tx);
      return dropped;
    });
  }
}

async function listPartitions(db: Kysely<any>): Promise<AuditPartition[]> {
  const result = await sql<{ name: string }>`select c.relname as name from pg_inherits i
    join pg_class c on c.oid = i.inhrelid where i.inhparent = 'audit_events'::regclass`.execute(db);
  return result.rows
    .map((row) => partitionOf(row.name))
    .filter((partition) => partition !== undefined)
    .sort((a, b) => a.from.getTime() - b.from.getTime());
}

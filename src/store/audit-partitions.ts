/** One month of the audit log: events created at or after `from` and before `before` (UTC months). */
export interface AuditPartition {
  name: string;
  from: Date;
  before: Date;
}

/**
 * The audit table's month partitions (docs/storage.md#the-audit-log-by-month). Every method takes a
 * database-wide lock, so replicas doing the same at once do it one after another.
 */
export interface AuditPartitions {
  /** The month partitions, oldest first (the default partition, for any other time, is not listed). */
  list(): Promise<AuditPartition[]>;
  /**
   * Creates the partitions of `now`'s month and the `monthsAhead` months after it that do not exist,
   * moving into each the rows the default partition held for it. Answers those it created.
   */
  ensure(now: Date, monthsAhead: number): Promise<AuditPartition[]>;
  /**
   * Drops every month partition that ends at or before `cutoff`, and deletes the default partition's rows
   * older than `cutoff`: whole months go at once, so a row stays until its month has passed the cutoff.
   * Answers the partitions dropped with their row counts.
   */
  dropEndingBy(cutoff: Date): Promise<Array<AuditPartition & { rows: number }>>;
}

/** The first instant of `time`'s UTC month, `offset` months later. */
export function monthStart(time: Date, offset = 0): Date {
  return new Date(Date.UTC(time.getUTCFullYear(), time.getUTCMonth() + offset, 1));
}

/** audit_events_pYYYY_MM: the name the migration and ensure() give a month's partition. */
export function partitionName(month: Date): string {
  return `audit_events_p${month.getUTCFullYear()}_${String(month.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The month a partition name stands for, or undefined for a table that is not a month partition. */
export function partitionOf(name: string): AuditPartition | undefined {
  const match = /^audit_events_p(\d{4})_(\d{2})$/.exec(name);
  if (!match) return undefined;
  const from = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, 1));
  return { name, from, before: monthStart(from, 1) };
}

import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../../core/clock.ts';
import type { Store } from '../../store/store.ts';
import type { StoreAuditLog } from './store-audit-log.ts';

/** Months created ahead of time, so the default partition stays empty while servers run. */
export const auditMonthsAhead = 2;
/** How often a server checks the partitions: months are long, a missed check costs nothing. */
export const auditPartitionCheckMs = 6 * 3600_000;

/**
 * Keeps the audit log's month partitions: creates the coming months and, with a retention, drops the
 * months that ended more than `retentionDays` ago, recording each drop as an `audit.retention_applied`
 * event. Runs at start and every few hours; every replica does, under one database lock.
 */
export class AuditPartitionKeeper {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly audit: StoreAuditLog,
    private readonly log: FastifyBaseLogger,
    private readonly retentionDays: number | undefined,
  ) {}

  async start(): Promise<void> {
    await this.run();
    this.#timer = setInterval(() => {
      this.#running ??= this.run().finally(() => {
        this.#running = undefined;
      });
    }, auditPartitionCheckMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }

  /** One check; a failure (the database away) is logged and retried at the next. */
  async run(): Promise<void> {
    try {
      const now = this.clock.now();
      const created = await this.store.auditPartitions.ensure(now, auditMonthsAhead);
      for (const partition of created)
        this.log.info({ partition: partition.name }, 'audit partition created');
      if (this.retentionDays === undefined) return;
      const cutoff = new Date(now.getTime() - this.retentionDays * 86_400_000);
      for (const partition of await this.store.auditPartitions.dropEndingBy(cutoff)) {
        this.log.info(
          { partition: partition.name, rows: partition.rows },
          'audit partition dropped (retention)',
        );
        await this.audit.record({
          kind: 'audit.retention_applied',
          details: {
            from: partition.from.toISOString(),
            before: partition.before.toISOString(),
            events: partition.rows,
            retentionDays: this.retentionDays,
          },
        });
      }
    } catch (error) {
      this.log.warn({ err: error }, 'audit partitions not checked; retrying later');
    }
  }
}

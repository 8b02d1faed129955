import type { Clock } from '../../core/clock.ts';
import { newTimeOrderedId } from '../../core/ids.ts';
import type { AuditEvent } from '../../store/records.ts';
import type { Store } from '../../store/store.ts';
import type { TokenAuditLog } from './audit-log.ts';
import { BatchWriter } from './batch-writer.ts';

const maxAuditBatch = 500;
/** Token batches committing at once: the next batch forms while one commits; the pool (10) keeps room for the rest. */
const maxAuditFlushesInFlight = 2;

/**
 * The audit log in the store. Token records go through a group-commit writer: each request waits until
 * its record is durable, and records arriving together share one INSERT.
 */
export class StoreAuditLog implements TokenAuditLog {
  readonly #writer: BatchWriter<AuditEvent>;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    /** Told of every committed batch of token records: its size and commit time (for metrics). */
    onFlushed?: (size: number, seconds: number) => void,
  ) {
    this.#writer = new BatchWriter(
      (events) => store.auditEvents.insertMany(events),
      maxAuditBatch,
      maxAuditFlushesInFlight,
      onFlushed,
    );
  }

  /** Token records waiting for their batch. */
  get queueDepth(): number {
    return this.#writer.queued;
  }

  recordTokenIssued(event: AuditEvent, signed?: Promise<unknown>): Promise<void> {
    return this.#writer.write(event, signed);
  }

  /** Any other event (configuration changes, key events): written at once, not batched. */
  async record(event: Omit<AuditEvent, 'id' | 'createdAt'>): Promise<void> {
    const now = this.clock.now();
    await this.store.auditEvents.insert({ ...event, id: newTimeOrderedId(now), createdAt: now });
  }

  /** Waits for pending token records (before shutdown). */
  drained(): Promise<void> {
    return this.#writer.drained();
  }
}

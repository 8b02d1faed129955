import type { AuditPartitions } from './audit-partitions.ts';
import type { Records } from './records.ts';

export interface PageRequest {
  /** 1 to 100 (values outside are clamped); 25 when absent or not an integer. */
  pageSize?: number;
  /** The `nextToken` of the previous page. */
  token?: string;
}

export interface Page<R> {
  items: R[];
  /** Absent on the last page. */
  nextToken?: string;
}

/** Records created at or after `from` and strictly before `before` (either may be absent). */
export interface CreatedRange {
  from?: Date;
  before?: Date;
}

/** What a filter may say about one field of a record: see Filter. */
type FieldFilter<V> = [V] extends [string[]] ? string : [V] extends [string] ? V | readonly V[] : never;

/**
 * Filter on a record's fields; absent (undefined) fields match anything. A string field matches by
 * equality, or with a list by being one of its values (an empty list matches nothing); a list-of-strings
 * field matches when the list holds the value; `null` on an optional field matches records without it.
 */
export type Filter<R> = {
  [K in keyof R]?: FieldFilter<NonNullable<R[K]>> | (undefined extends R[K] ? null : never) | undefined;
};

/** Bulk operations touch at most this many records per statement (see updateMany). */
export const maxBatchSize = 10_000;

/**
 * One kind of record. Reads of a missing record throw NotFoundError (or answer undefined for find*);
 * a write that breaks a unique rule throws AlreadyExistsError, one naming a missing record (a foreign
 * key) MissingReferenceError. A lookup by a malformed ID finds nothing. `update` reads the record with a row
 * lock inside a transaction, so concurrent updates of one record serialize.
 */
export interface Collection<R extends { id: string }> {
  insert(record: R): Promise<R>;
  /** Inserts all records in one statement: all land, or none does. */
  insertMany(records: R[]): Promise<void>;
  get(id: string): Promise<R>;
  find(id: string): Promise<R | undefined>;
  findOne(filter: Filter<R>): Promise<R | undefined>;
  /**
   * Ordered by creation time, then ID; `created` narrows to a time range. A token this store did not
   * give out: InvalidPageTokenError.
   */
  list(filter: Filter<R>, page?: PageRequest, created?: CreatedRange): Promise<Page<R>>;
  update(id: string, change: (current: R) => R | Promise<R>): Promise<R>;
  delete(id: string): Promise<void>;
  /** Answers how many records it deleted. An empty filter is refused rather than emptying the table. */
  deleteWhere(filter: Filter<R>): Promise<number>;
  /** How many records match `filter`. */
  count(filter: Filter<R>): Promise<number>;
  /**
   * Every record matching `filter`, only `fields` of each (and `id`), in one query, ordered by creation
   * time, then ID: for reads that need a whole set at once (an organization's principals), not pages.
   */
  select<K extends keyof R>(filter: Filter<R>, fields: readonly K[]): Promise<Pick<R, K | 'id'>[]>;
  /**
   * Sets the fields of `change` (an undefined one clears the field) on at most `limit` records
   * matching `filter` (1 to maxBatchSize), in one statement with a row lock on each; answers their
   * IDs, in no particular order. Callers repeat it with a filter the changed records no longer match
   * until it answers fewer than `limit`. An empty filter is refused, as for deleteWhere.
   */
  updateMany(filter: Filter<R>, change: Partial<Omit<R, 'id'>>, limit: number): Promise<string[]>;
}

export type Collections = { [K in keyof Records]: Collection<Records[K]> };

export interface Store extends Collections {
  readonly engine: 'pglite' | 'postgres';
  /** The audit log's month partitions: created ahead, dropped for retention. */
  readonly auditPartitions: AuditPartitions;
  /**
   * Runs `work` in one transaction: everything it writes lands, or nothing does. Nested calls join it.
   * A store error inside `work` (say AlreadyExistsError) aborts the transaction on both engines: let it
   * propagate rather than carry on with `tx`. Inside `work`, use `tx` only, never the outer store
   * (on PGlite the outer store waits for the transaction's one connection).
   * With `lock`, the transaction first takes that named lock, so such transactions run one at a time
   * across every server sharing the database (e.g. key rotation).
   */
  transaction<T>(work: (tx: Store) => Promise<T>, options?: { lock?: string }): Promise<T>;
  /**
   * Calls `onChange(collection)` after every committed write of a watched collection, from any server
   * sharing the database; `'*'` when changes may have been missed. Answers the function that stops it.
   */
  watchChanges(onChange: (collection: string) => void): Promise<() => Promise<void>>;
  /** False while change notifications are interrupted (the connection that receives them reconnects). */
  changesConnected(): boolean;
  /** Answers when the database is reachable; throws otherwise. */
  ping(): Promise<void>;
  /** The connection pool's state, for metrics; undefined for the embedded database (one session, no pool). */
  poolStats?(): PoolStats | undefined;
  close(): Promise<void>;
}

/** A connection pool at one moment. */
export interface PoolStats {
  /** Connections handed out to a query or transaction. */
  inUse: number;
  /** Open connections waiting in the pool. */
  idle: number;
  /** Callers waiting for a connection (the pool is at its maximum). */
  waiting: number;
  max: number;
}

export const defaultPageSize = 25;
export const maxPageSize = 100;

/**
 * The times a record, a page token or a time filter may hold: four-digit years, which both PostgreSQL
 * (4713 BC to 294276 AD, but no year 0) and JavaScript Dates (±275760) hold, and which RFC 3339 and
 * `toISOString()` spell the same way.
 */
export const earliestStoredTime = new Date('0001-01-01T00:00:00.000Z');
export const latestStoredTime = new Date('9999-12-31T23:59:59.999Z');

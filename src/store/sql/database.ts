import type { Kysely } from 'kysely';
import type { PoolStats } from '../store.ts';

/** An open database: a Kysely instance plus what Kysely does not cover (notifications). */
export interface SqlDatabase {
  db: Kysely<any>;
  close(): Promise<void>;
  /**
   * Runs `work` on a connection without the query deadlines (migrations may take long on a big
   * database, or wait for another replica's); on PGlite, the one session.
   */
  /** Whether every LISTEN connection is up (false while one reconnects). */
  listening(): boolean;
  /** The pool's state (PostgreSQL only). */
  poolStats?(): PoolStats;
  withoutDeadlines<T>(work: (db: Kysely<any>) => Promise<T>): Promise<T>;
  /**
   * Subscribes to NOTIFY on `channel`. `onReset` runs when notifications may have been missed (a
   * listening connection was lost and is back), so the subscriber must assume anything changed.
   */
  listen(
    channel: string,
    onMessage: (payload: string) => void,
    onReset: () => void,
  ): Promise<() => Promise<void>>;
}

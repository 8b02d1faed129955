import type { Kysely } from 'kysely';

/** An open database: a Kysely instance plus what Kysely does not cover (notifications). */
export interface SqlDatabase {
  db: Kysely<any>;
  close(): Promise<void>;
  /**
   * Subscribes to NOTIFY on `channel`. `onReset` runs when notifications may have been missed (a
   * listening connection was lost and re-established), so the subscriber must assume anything changed.
   */
  listen(
    channel: string,
    onMessage: (payload: string) => void,
    onReset: () => void,
  ): Promise<() => Promise<void>>;
}

import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { SqlDatabase } from '../database.ts';
import { withDatabaseErrors } from '../database-errors.ts';

/** A real PostgreSQL server through a connection pool. */
export async function openPostgres(
  databaseUrl: string,
  options: { maxConnections?: number } = {},
): Promise<SqlDatabase> {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: 5_000,
    // Keep idle connections (pg closes them after 10 s by default): a burst of token requests after a
    // quiet spell would otherwise wait for new connections and cold backends (p99 of 50-80 ms instead
    // of ~20 in the bench, BENCHMARKS.md). The pool never holds more than `max`.
    idleTimeoutMillis: 0,
  });
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  const db = new Kysely<any>({ dialect: withDatabaseErrors(new PostgresDialect({ pool })) });
  const listeners = new Set<() => Promise<void>>();
  return {
    db,
    close: async () => {
      await Promise.all([...listeners].map((stop) => stop()));
      await db.destroy();
    },
    listen: async (channel, onMessage, onReset) => {
      const listener = new Listener(databaseUrl, channel, onMessage, onReset);
      await listener.start();
      const stop = () => listener.stop();
      listeners.add(stop);
      return async () => {
        listeners.delete(stop);
        await stop();
      };
    },
  };
}

/** A dedicated connection that LISTENs, and reconnects (announcing a reset) when it is lost. */
class Listener {
  #client: pg.Client | undefined;
  #stopped = false;
  #retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly url: string,
    private readonly channel: string,
    private readonly onMessage: (payload: string) => void,
    private readonly onReset: () => void,
  ) {}

  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 5_000 });
    client.on('notification', (message) => {
      if (message.channel === this.channel) this.onMessage(message.payload ?? '');
    });
    client.on('error', () => this.#reconnect());
    client.on('end', () => this.#reconnect());
    await client.connect();
    await client.query(`listen ${pg.escapeIdentifier(this.channel)}`);
    this.#client = client;
  }

  #reconnect(): void {
    if (this.#stopped || this.#retry) return;
    this.#client = undefined;
    this.onReset();
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.start().then(
        () => this.onReset(),
        () => this.#reconnect(),
      );
    }, 1_000);
    this.#retry.unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retry);
    await this.#client?.end().catch(() => {});
  }
}

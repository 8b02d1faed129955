import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import type { SqlDatabase } from '../database.ts';
import { withDatabaseErrors } from '../database-errors.ts';
import { classifyDatabaseError, unavailabilityReason } from '../database-failures.ts';

export interface PostgresOptions {
  maxConnections?: number;
  /** How long opening a connection (or waiting for a free one in the pool) may take. */
  connectTimeoutMs?: number;
  /** How long one statement may take: the server cancels it, and the client gives up a little later. */
  queryTimeoutMs?: number;
}

export const defaultConnectTimeoutMs = 2_000;
export const defaultQueryTimeoutMs = 5_000;
/** The client's own deadline, for a server that answers nothing at all (frozen, partitioned). */
const clientGraceMs = 500;

/**
 * A real PostgreSQL server through a connection pool. No database event may end the process: every
 * connection has an error listener whether idle or in use, a connection that failed or missed its
 * deadline is destroyed rather than handed out again, and failures that mean "the database is not
 * there" become DatabaseUnavailableError (the API's 503).
 */
export async function openPostgres(databaseUrl: string, options: PostgresOptions = {}): Promise<SqlDatabase> {
  const connectTimeoutMs = options.connectTimeoutMs ?? defaultConnectTimeoutMs;
  const queryTimeoutMs = options.queryTimeoutMs ?? defaultQueryTimeoutMs;
  const max = options.maxConnections ?? 10;
  const pool = newPool({
    connectionString: databaseUrl,
    max,
    connectionTimeoutMillis: connectTimeoutMs,
    // Keep idle connections (pg closes them after 10 s by default): a burst of token requests after a
    // quiet spell would otherwise wait for new connections and cold backends (p99 of 50-80 ms instead
    // of ~20 in the bench, BENCHMARKS.md). The pool never holds more than `max`.
    idleTimeoutMillis: 0,
    statement_timeout: queryTimeoutMs,
    query_timeout: queryTimeoutMs + clientGraceMs,
    keepAlive: true,
  });
  // This process already tells its own watchers of its writes after commit (sql-store.ts): the NOTIFY
  // echo of those writes would only empty the caches a second time, at some later moment.
  const ownBackends = new Set<number>();
  pool.on('connect', (client) => ownBackends.add((client as unknown as { processID: number }).processID));
  pool.on('remove', (client) => ownBackends.delete((client as unknown as { processID: number }).processID));
  const db = new Kysely<any>({
    dialect: withDatabaseErrors(new PostgresDialect({ pool: guardedPool(pool) })),
  });
  const listeners = new Set<Listener>();
  return {
    db,
    close: async () => {
      await Promise.all([...listeners].map((listener) => listener.stop()));
      await db.destroy();
    },
    listening: () => [...listeners].every((listener) => listener.connected),
    poolStats: () => ({
      inUse: pool.totalCount - pool.idleCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
      max,
    }),
    withoutDeadlines: async (work) => {
      const unbounded = newPool({
        connectionString: databaseUrl,
        max: 1,
        connectionTimeoutMillis: connectTimeoutMs,
      });
      const own = new Kysely<any>({
        dialect: withDatabaseErrors(new PostgresDialect({ pool: guardedPool(unbounded) })),
      });
      try {
        return await work(own);
      } finally {
        await own.destroy();
      }
    },
    listen: async (channel, onMessage, onReset) => {
      const listener = new Listener(
        { connectionString: databaseUrl, connectionTimeoutMillis: connectTimeoutMs, keepAlive: true },
        channel,
        (payload, processId) => {
          if (!ownBackends.has(processId)) onMessage(payload);
        },
        onReset,
      );
      await listener.start();
      listeners.add(listener);
      return async () => {
        listeners.delete(listener);
        await listener.stop();
      };
    },
  };
}

/**
 * A pool whose connections can never crash the process. pg-pool listens for errors only on idle
 * connections: one that is checked out (between the queries of a transaction, say) would otherwise
 * emit an unhandled 'error' and end the process when the server goes away. The query that is running,
 * if any, fails on its own.
 */
function newPool(config: pg.PoolConfig): pg.Pool {
  const pool = new pg.Pool(config);
  pool.on('connect', (client) => client.on('error', () => {}));
  pool.on('error', () => {});
  return pool;
}

/**
 * The pool as Kysely sees it: errors that mean the database is unavailable are classified, and a
 * connection on which such an error happened (or whose query missed its deadline and may still be
 * running) is destroyed on release instead of going back to the pool.
 */
function guardedPool(pool: pg.Pool): PostgresPool {
  const guarded = new WeakMap<pg.PoolClient, GuardedClient>();
  return {
    async connect() {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw classifyDatabaseError(error);
      }
      let wrapper = guarded.get(client);
      if (!wrapper) {
        wrapper = new GuardedClient(client);
        guarded.set(client, wrapper);
      }
      wrapper.broken = undefined;
      return wrapper;
    },
    end: () => pool.end(),
  };
}

class GuardedClient implements PostgresPoolClient {
  /** Set when this connection must not be used again. */
  broken: Error | undefined;

  constructor(private readonly client: pg.PoolClient) {}

  query(...args: [any, any?]): any {
    const result = (this.client.query as (...a: unknown[]) => unknown)(...args);
    if (!(result instanceof Promise)) return result; // a cursor
    return result.catch((error: unknown) => {
      if (unavailabilityReason(error)) this.broken = error as Error;
      throw classifyDatabaseError(error);
    });
  }

  release(): void {
    const broken = this.broken;
    this.broken = undefined;
    this.client.release(broken);
  }
}

/** Backoff between attempts to re-establish the LISTEN connection: 100 ms doubling to 2 s. */
const reconnectDelayMs = (attempt: number): number => Math.min(100 * 2 ** attempt, 2_000);

/**
 * A dedicated connection that LISTENs. When it is lost it reconnects with backoff, and once it is back
 * it announces a reset: notifications sent meanwhile are lost, so subscribers must assume anything
 * changed. While it is down, caches keep what they hold until their own lifetime ends.
 */
class Listener {
  #client: pg.Client | undefined;
  #stopped = false;
  #retry: NodeJS.Timeout | undefined;
  #attempt = 0;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly channel: string,
    private readonly onMessage: (payload: string, processId: number) => void,
    private readonly onReset: () => void,
  ) {}

  get connected(): boolean {
    return this.#client !== undefined;
  }

  async start(): Promise<void> {
    const client = new pg.Client(this.config);
    client.on('notification', (message) => {
      if (message.channel === this.channel) this.onMessage(message.payload ?? '', message.processId);
    });
    const lost = () => {
      if (this.#client === client) this.#client = undefined;
      client.end().catch(() => {});
      this.#reconnect();
    };
    client.on('error', lost);
    client.on('end', lost);
    try {
      await client.connect();
      await client.query(`listen ${pg.escapeIdentifier(this.channel)}`);
    } catch (error) {
      // This attempt's failure is the caller's to handle (it retries): the client only needs closing.
      client.removeListener('end', lost);
      client.removeListener('error', lost);
      client.on('error', () => {});
      client.end().catch(() => {});
      throw classifyDatabaseError(error);
    }
    if (this.#stopped) {
      await client.end().catch(() => {});
      return;
    }
    this.#client = client;
    this.#attempt = 0;
  }

  #reconnect(): void {
    if (this.#stopped || this.#retry || this.#client) return;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.start().then(
        () => {
          if (!this.#stopped) this.onReset();
        },
        () => {
          this.#attempt++;
          this.#reconnect();
        },
      );
    }, reconnectDelayMs(this.#attempt));
    this.#retry.unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retry);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => {});
  }
}

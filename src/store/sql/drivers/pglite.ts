import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import {
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
} from 'kysely';
import { lockDataDir } from '../data-dir-lock.ts';
import type { SqlDatabase } from '../database.ts';

/**
 * The embedded database: PostgreSQL compiled to WASM, data in a directory (or in memory).
 * PGlite has one session, so the driver hands out its single connection to one user at a time:
 * a transaction holds it from BEGIN to COMMIT and nothing else interleaves.
 */
export async function openPglite(dataDir: string | undefined): Promise<SqlDatabase> {
  if (!dataDir) return overPglite(await PGlite.create(), async () => {});
  mkdirSync(dataDir, { recursive: true });
  // One process per directory: PGlite has no lock of its own, and two instances lose writes.
  const lock = lockDataDir(dataDir);
  try {
    return overPglite(await PGlite.create({ dataDir }), async () => lock.release());
  } catch (error) {
    lock.release();
    throw error;
  }
}

function overPglite(pg: PGlite, afterClose: () => Promise<void>): SqlDatabase {
  const session = new Session();
  const db = new Kysely<any>({ dialect: pgliteDialect(pg, session) });
  let closing: Promise<void> | undefined;
  const close = async () => {
    try {
      await db.destroy();
    } finally {
      await afterClose();
    }
  };
  return {
    db,
    close: () => (closing ??= close()),
    withoutDeadlines: (work) => work(db),
    listening: () => true,
    // One process owns the embedded database, so its notifications are never lost: no reset.
    // LISTEN takes its turn on the session: run inside someone's transaction, a rollback would undo it.
    listen: async (channel, onMessage) => {
      const unlisten = await session.run(() => pg.listen(channel, onMessage));
      return () => session.run(() => unlisten());
    },
  };
}

/** PGlite's one session, handed to one user at a time (first come, first served). */
class Session {
  #tail: Promise<void> = Promise.resolve();

  /** Waits for the session; answers the function that hands it on. */
  acquire(): Promise<() => void> {
    const previous = this.#tail;
    let release!: () => void;
    this.#tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    return previous.then(() => release);
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await work();
    } finally {
      release();
    }
  }
}

function pgliteDialect(pg: PGlite, session: Session): Dialect {
  return {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new PgliteDriver(pg, session),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  };
}

class PgliteDriver implements Driver {
  readonly #connection: PgliteConnection;
  #release: (() => void) | undefined;

  constructor(
    private readonly pg: PGlite,
    private readonly session: Session,
  ) {
    this.#connection = new PgliteConnection(pg);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    this.#release = await this.session.acquire();
    return this.#connection;
  }

  async releaseConnection(): Promise<void> {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery({ sql: 'begin', parameters: [] } as unknown as CompiledQuery);
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery({ sql: 'commit', parameters: [] } as unknown as CompiledQuery);
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery({ sql: 'rollback', parameters: [] } as unknown as CompiledQuery);
  }

  async destroy(): Promise<void> {
    if (!this.pg.closed) await this.pg.close();
  }
}

class PgliteConnection implements DatabaseConnection {
  constructor(private readonly pg: PGlite) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    // Statements without parameters go through the simple protocol, which also takes several at once.
    const result =
      query.parameters.length === 0
        ? ((await this.pg.exec(query.sql)).at(-1) ?? { rows: [], affectedRows: 0 })
        : await this.pg.query<R>(query.sql, [...query.parameters]);
    return {
      rows: result.rows as R[],
      ...(result.affectedRows !== undefined ? { numAffectedRows: BigInt(result.affectedRows) } : {}),
    };
  }

  // biome-ignore lint/correctness/useYield: streaming is not supported by PGlite; never called.
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not supported on PGlite');
  }
}

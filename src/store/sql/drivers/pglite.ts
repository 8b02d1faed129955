import { chmodSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { NodeFS } from '@electric-sql/pglite/nodefs';
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
import { ensurePrivateDir, privateDirMode, privateFileMode } from '../../private-dir.ts';
import { lockDataDir } from '../data-dir-lock.ts';
import type { SqlDatabase } from '../database.ts';
import { toDatabaseError, withDatabaseErrors } from '../database-errors.ts';

/**
 * The embedded database: PostgreSQL compiled to WASM, data in a directory (or in memory).
 * PGlite has one session, so the driver hands out its single connection to one user at a time:
 * a transaction holds it from BEGIN to COMMIT and nothing else interleaves.
 */
export async function openPglite(dataDir: string | undefined): Promise<SqlDatabase> {
  if (!dataDir) return overPglite(await PGlite.create(), async () => {});
  // Personal data, the audit log and encrypted keys: for the owner alone (an older envid left 0666).
  ensurePrivateDir(dataDir);
  // One process per directory: PGlite has no lock of its own, and two instances lose writes.
  const lock = lockDataDir(dataDir);
  try {
    return overPglite(await PGlite.create({ fs: new PrivateNodeFS(dataDir) }), async () => lock.release());
  } catch (error) {
    lock.release();
    throw error;
  }
}

/** What this file uses of the Emscripten module's NODEFS (PGlite's Node file system underneath). */
interface EmscriptenNodeFs {
  realPath(node: unknown): string;
  tryFSOperation<T>(work: () => T): T;
  node_ops: {
    mknod(parent: unknown, name: string, mode: number, dev: number): unknown;
    setattr(node: unknown, attr: { mode?: number }): void;
  };
  stream_ops: { setattr(stream: unknown, attr: { mode?: number }): void };
}

const fileTypeBits = 0o170000;
const directoryType = 0o040000;
/** `mode` with its permission bits replaced by the owner-only ones for its file type. */
const privateMode = (mode: number): number =>
  (mode & fileTypeBits) | ((mode & fileTypeBits) === directoryType ? privateDirMode : privateFileMode);

/**
 * PGlite's Node file system, owner-only. Underneath, Emscripten's NODEFS creates each file and directory
 * with the mode PostgreSQL asks for less the umask (0666 for files it opens with fopen), and a new
 * cluster is copied from initdb's tarball by chmod to 0666 and 0777. Here every file and directory it
 * creates is chmod-ed to exactly 0600 or 0700 (whatever the umask) and every chmod sets the same.
 */
class PrivateNodeFS extends NodeFS {
  override async init(pg: PGlite, options: Parameters<NodeFS['init']>[1]) {
    const { emscriptenOpts } = await super.init(pg, options);
    const restrict = (module: { NODEFS?: EmscriptenNodeFs }) => restrictNodeFs(module.NODEFS);
    return { emscriptenOpts: { ...emscriptenOpts, preRun: [restrict, ...(emscriptenOpts.preRun ?? [])] } };
  }
}

function restrictNodeFs(nodefs: EmscriptenNodeFs | undefined): void {
  if (
    typeof nodefs?.node_ops?.mknod !== 'function' ||
    typeof nodefs.node_ops.setattr !== 'function' ||
    typeof nodefs.stream_ops?.setattr !== 'function' ||
    typeof nodefs.realPath !== 'function' ||
    typeof nodefs.tryFSOperation !== 'function'
  ) {
    // Refuse rather than run with a world-readable database (a PGlite upgrade changed its internals).
    throw new Error(
      'this PGlite version has no NODEFS as envid knows it: cannot keep the data directory private',
    );
  }
  const { node_ops: nodeOps, stream_ops: streamOps } = nodefs;
  const { mknod, setattr } = nodeOps;
  const { setattr: streamSetattr } = streamOps;
  const restricted = <A extends { mode?: number }>(attr: A): A =>
    attr.mode === undefined || attr.mode === null ? attr : { ...attr, mode: privateMode(attr.mode) };
  nodeOps.mknod = function (parent, name, mode, dev) {
    const node = mknod.call(this, parent, name, privateMode(mode), dev);
    // The umask may have taken bits away (or, at 0, left PostgreSQL's fopen 0666): set them exactly.
    nodefs.tryFSOperation(() => chmodSync(nodefs.realPath(node), privateMode(mode) & 0o7777));
    return node;
  };
  nodeOps.setattr = function (node, attr) {
    return setattr.call(this, node, restricted(attr));
  };
  streamOps.setattr = function (stream, attr) {
    return streamSetattr.call(this, stream, restricted(attr));
  };
}

/**
 * The SqlDatabase over an open PGlite. Exported for the tests, which open their in-memory databases from
 * a migrated template (test/support/pglite-memory-template.ts) instead of running initdb each time.
 */
export function overPglite(pg: PGlite, afterClose: () => Promise<void>): SqlDatabase {
  const session = new Session();
  const db = new Kysely<any>({ dialect: withDatabaseErrors(pgliteDialect(pg, session)) });
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
      const unlisten = await session
        .run(() => pg.listen(channel, onMessage))
        .catch((error: unknown) => {
          throw toDatabaseError(error, 'listen');
        });
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

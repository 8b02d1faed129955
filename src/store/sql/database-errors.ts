import type {
  CompiledQuery,
  DatabaseConnection,
  Dialect,
  Driver,
  QueryResult,
  TransactionSettings,
} from 'kysely';
import { DatabaseError, DatabaseUnavailableError } from '../errors.ts';
import { unavailabilityReason } from './database-failures.ts';

/**
 * Wraps a Kysely dialect so that everything its driver throws (a statement, BEGIN/COMMIT, taking a
 * connection) is a DatabaseError: what failed and the database's code, without the statement's text,
 * its parameters or a message that may quote them. Both drivers go through it, so no driver error
 * leaves the store.
 */
export function withDatabaseErrors(dialect: Dialect): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createDriver: () => new GuardedDriver(dialect.createDriver()),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
  };
}

/** `error` as a DatabaseError; `sql` (never kept) tells which statement kind and table failed. */
export function toDatabaseError(error: unknown, sql?: string): DatabaseError {
  if (error instanceof DatabaseError) return error;
  const fields = (error ?? {}) as {
    code?: unknown;
    constraint?: unknown;
    detail?: unknown;
    message?: unknown;
    column?: unknown;
  };
  const code = typeof fields.code === 'string' && fields.code !== '' ? fields.code : 'unknown';
  const sqlState = /^[0-9A-Z]{5}$/.test(code);
  const message = typeof fields.message === 'string' ? fields.message : '';
  const connection = sqlState ? /^(08|57P0[1-3])/.test(code) : isConnectionFailure(code, message);
  const { operation, table } = describeStatement(sql);
  // "Key (organization_id, user_id)=(…, …) already exists.": the column names, never the values.
  const detail = typeof fields.detail === 'string' ? fields.detail : '';
  const columns =
    /^Key \(([^)]*)\)=/.exec(detail)?.[1]?.split(', ') ??
    (typeof fields.column === 'string' ? [fields.column] : []); // a not-null violation names its column
  const referencedTable = /is not present in table "([^"]+)"/.exec(detail)?.[1];
  return new DatabaseError(
    code,
    operation,
    table,
    connection,
    {
      ...(typeof fields.constraint === 'string' ? { name: fields.constraint } : {}),
      columns,
      ...(referencedTable ? { referencedTable } : {}),
    },
    // A connection failure's message names a host or a reason, never a statement's values.
    connection && !sqlState && message ? message : undefined,
    error,
  );
}

/** pg's connection failures: system errors (ECONNREFUSED…) and a few plain messages. */
function isConnectionFailure(code: string, message: string): boolean {
  return (
    /^E[A-Z]+$/.test(code) ||
    /connection|connect|not queryable|after calling end on the pool|PGlite is closed/i.test(message)
  );
}

const statementKind = /^\s*([a-z]+)/i;
const firstTable = /\b(?:from|into|update|table)\s+"?([a-z_][a-z0-9_]*)"?/i;

function describeStatement(sql: string | undefined): { operation: string; table: string | undefined } {
  if (sql === undefined) return { operation: 'connect', table: undefined };
  return {
    operation: statementKind.exec(sql)?.[1]?.toLowerCase() ?? 'statement',
    table: firstTable.exec(sql)?.[1],
  };
}

/**
 * What the store throws for a driver's error: DatabaseUnavailableError when the database is not there
 * (refused, lost, timed out: the API's 503), else a DatabaseError.
 */
export function toStoreError(error: unknown, sql?: string): DatabaseUnavailableError | DatabaseError {
  if (error instanceof DatabaseUnavailableError) return error;
  const reason = unavailabilityReason(error);
  return reason ? new DatabaseUnavailableError(reason) : toDatabaseError(error, sql);
}

const guard = async <T>(work: () => Promise<T>, sql?: string): Promise<T> => {
  try {
    return await work();
  } catch (error) {
    throw toStoreError(error, sql);
  }
};

class GuardedConnection implements DatabaseConnection {
  constructor(readonly inner: DatabaseConnection) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return guard(() => this.inner.executeQuery<R>(query), query.sql);
  }

  async *streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    try {
      yield* this.inner.streamQuery<R>(query, chunkSize);
    } catch (error) {
      throw toStoreError(error, query.sql);
    }
  }
}

const unwrap = (connection: DatabaseConnection): DatabaseConnection =>
  connection instanceof GuardedConnection ? connection.inner : connection;

class GuardedDriver implements Driver {
  constructor(private readonly driver: Driver) {}

  init(): Promise<void> {
    return guard(() => this.driver.init());
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new GuardedConnection(await guard(() => this.driver.acquireConnection()));
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return guard(() => this.driver.beginTransaction(unwrap(connection), settings), 'begin');
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return guard(() => this.driver.commitTransaction(unwrap(connection)), 'commit');
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return guard(() => this.driver.rollbackTransaction(unwrap(connection)), 'rollback');
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.driver.releaseConnection(unwrap(connection));
  }

  destroy(): Promise<void> {
    return this.driver.destroy();
  }
}

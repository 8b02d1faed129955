/** Errors every Store implementation raises, so callers never see a driver's own errors. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
  constructor(
    readonly collection: string,
    readonly id: string,
  ) {
    super(`${collection} ${id} not found`);
  }
}

/** A write that breaks a unique rule. The message names the fields, never their values. */
export class AlreadyExistsError extends Error {
  override readonly name = 'AlreadyExistsError';
  constructor(
    readonly collection: string,
    readonly detail: string,
    /** The record fields of the unique rule, e.g. ['email'] or ['organizationId', 'userId']. */
    readonly fields: readonly string[] = [],
  ) {
    super(`${collection}: ${detail} already exists`);
  }
}

/** A write that refers to a record that does not exist (a foreign key). */
export class MissingReferenceError extends Error {
  override readonly name = 'MissingReferenceError';
  constructor(
    readonly collection: string,
    readonly detail: string,
    /** The record fields holding the missing reference, e.g. ['organizationId']. */
    readonly fields: readonly string[] = [],
  ) {
    super(`${collection}: ${detail}`);
  }
}

/** A page token that this store did not give out. */
export class InvalidPageTokenError extends Error {
  override readonly name = 'InvalidPageTokenError';
}

/** The embedded database's directory is in use by another live envid process (or this one). */
export class DataDirLockedError extends Error {
  override readonly name = 'DataDirLockedError';
  constructor(
    readonly lockFile: string,
    readonly pid: number,
  ) {
    super(
      pid === process.pid
        ? `the data directory is already open in this process (${lockFile})`
        : `the data directory is in use by another envid process (pid ${pid}): two processes on one ` +
            `embedded database lose writes. Stop that process, use PostgreSQL (--database-url) to run ` +
            `several, or, if pid ${pid} is not envid, delete ${lockFile}`,
    );
  }
}

/**
 * A database error the store did not expect (anything but the errors above). It says what failed and
 * the database's code, never a value: a driver's own error carries the statement and its parameters
 * (PGlite), and its message can quote a value (`invalid input syntax for type uuid: "…"`). The driver's
 * error is kept, unenumerable, for code that must look closer (never for logs).
 */
export class DatabaseError extends Error {
  override readonly name = 'DatabaseError';
  readonly #driverError: unknown;

  constructor(
    /**
     * The SQLSTATE when the database answered (e.g. `22P02`, `23505`, `57P01`); the system error code
     * when the connection failed (`ECONNREFUSED`, `ECONNRESET`…); otherwise `unknown`.
     */
    readonly code: string,
    /** The statement's kind (`select`, `insert`, `update`, `delete`, `begin`, `commit`…) or `connect`. */
    readonly operation: string,
    /** The table the statement names first, when it names one. */
    readonly table: string | undefined,
    /** True when the connection to the database failed or was lost, rather than the statement. */
    readonly connection: boolean,
    /** Constraint violations: the constraint and its columns (names only, never values). */
    readonly constraint: { name?: string; columns: readonly string[]; referencedTable?: string },
    /** A driver message that names no value (connection failures); none for statement errors. */
    detail: string | undefined,
    driverError: unknown,
  ) {
    const what = table ? `${operation} on ${table}` : operation;
    super(
      `database error ${code}${conditionNames[code] ? ` (${conditionNames[code]})` : ''} in ${what}` +
        `${constraint.columns.length > 0 ? ` (column ${constraint.columns.join(', ')})` : ''}${detail ? `: ${detail}` : ''}`,
    );
    this.#driverError = driverError;
  }

  /** The driver's own error. It may hold values: never log it or answer it. */
  driverError(): unknown {
    return this.#driverError;
  }
}

/** PostgreSQL's names for the codes an operator is most likely to meet. */
const conditionNames: Record<string, string> = {
  '08000': 'connection_exception',
  '08003': 'connection_does_not_exist',
  '08006': 'connection_failure',
  '22001': 'string_data_right_truncation',
  '22007': 'invalid_datetime_format',
  '22008': 'datetime_field_overflow',
  '22021': 'character_not_in_repertoire',
  '22P02': 'invalid_text_representation',
  '22P05': 'untranslatable_character',
  '23502': 'not_null_violation',
  '23503': 'foreign_key_violation',
  '23505': 'unique_violation',
  '23514': 'check_violation',
  '25P02': 'in_failed_sql_transaction',
  '28000': 'invalid_authorization_specification',
  '28P01': 'invalid_password',
  '3D000': 'invalid_catalog_name (the database does not exist)',
  '40001': 'serialization_failure',
  '40P01': 'deadlock_detected',
  '42501': 'insufficient_privilege',
  '42P01': 'undefined_table',
  '53300': 'too_many_connections',
  '57014': 'query_canceled',
  '57P01': 'admin_shutdown',
  '57P02': 'crash_shutdown',
  '57P03': 'cannot_connect_now',
};

/** * The database cannot be reached or did not answer in time (refused, lost, timed out, shutting down).
 * Callers answer "unavailable, retry shortly"; nothing about the query is in the message.
 */
export class DatabaseUnavailableError extends Error {
  override readonly name = 'DatabaseUnavailableError';
  constructor(
    /** What happened, in words that hold no query text or value: e.g. "connection refused". */
    readonly reason: string,
  ) {
    super(`the database is unavailable: ${reason}`);
  }
}

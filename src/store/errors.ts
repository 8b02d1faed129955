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
 * The database cannot be reached or did not answer in time (refused, lost, timed out, shutting down).
 * Callers answer "unavailable, retry shortly"; nothing about the query is in the message.
 */
export class DatabaseUnavailableError extends Error {
  override readonly name = 'DatabaseUnavailableError';
  constructor(
    /** What happened, in words that hold no query text or value: e.g. "connection refused". */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`the database is unavailable: ${reason}`, options);
  }
}

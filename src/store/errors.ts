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

export class AlreadyExistsError extends Error {
  override readonly name = 'AlreadyExistsError';
  constructor(
    readonly collection: string,
    readonly detail: string,
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
  ) {
    super(`${collection}: ${detail}`);
  }
}

/** A page token that this store did not give out. */
export class InvalidPageTokenError extends Error {
  override readonly name = 'InvalidPageTokenError';
}

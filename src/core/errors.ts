/**
 * API errors with the stable codes of docs/errors.md (Connect's code names). The message is public: it
 * must say what was wrong and what is allowed, and never carry a secret. Internal failures are reported as
 * `internal` with a generic message; their detail goes to the log only. How a code travels over HTTP
 * (its status) is the server's business: src/server/connect/errors.ts.
 */
export const apiErrorCodes = [
  'invalid_argument',
  'failed_precondition',
  'unauthenticated',
  'permission_denied',
  'not_found',
  'unimplemented',
  'already_exists',
  'resource_exhausted',
  'internal',
  'unavailable',
] as const;

export type ApiErrorCode = (typeof apiErrorCodes)[number];

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    /** For a refusal that passes: whole seconds until the same request may succeed (`Retry-After`). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }

  toJSON(): { code: ApiErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

export const invalidArgument = (field: string, problem: string): ApiError =>
  new ApiError('invalid_argument', `${field}: ${problem}`);

export const notFound = (what: string, id: string): ApiError =>
  new ApiError('not_found', `${what} ${id} not found`);

export const unauthenticated = (message: string): ApiError => new ApiError('unauthenticated', message);

export const permissionDenied = (message: string): ApiError => new ApiError('permission_denied', message);

/** A limit was reached; `retryAfterSeconds` says when it resets. */
export const resourceExhausted = (message: string, retryAfterSeconds: number): ApiError =>
  new ApiError('resource_exhausted', message, retryAfterSeconds);

export const failedPrecondition = (message: string): ApiError => new ApiError('failed_precondition', message);

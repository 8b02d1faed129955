/**
 * API errors with the stable Connect codes of docs/api.md#errors. The message is public: it must say what was
 * wrong and what is allowed, and never carry a secret. Internal failures are reported as `internal`
 * with a generic message; their detail goes to the log only.
 */
export const connectCodes = {
  invalid_argument: 400,
  failed_precondition: 400,
  unauthenticated: 401,
  permission_denied: 403,
  not_found: 404,
  unimplemented: 404,
  already_exists: 409,
  resource_exhausted: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ConnectCode = keyof typeof connectCodes;

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: ConnectCode,
    message: string,
    /** For a refusal that passes: whole seconds until the same request may succeed (`Retry-After`). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }

  get httpStatus(): number {
    return connectCodes[this.code];
  }

  toJSON(): { code: ConnectCode; message: string } {
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

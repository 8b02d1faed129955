import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, type ApiErrorCode } from '../../core/errors.ts';
import {
  AlreadyExistsError,
  DatabaseError,
  DatabaseUnavailableError,
  InvalidPageTokenError,
  MissingReferenceError,
  NotFoundError,
} from '../../store/errors.ts';

/** The HTTP status each code answers with (Connect's mapping, with 404 for a method that does not exist). */
export const httpStatusOf: Record<ApiErrorCode, number> = {
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
};

/**
 * Turns anything thrown while serving a request into Connect's error JSON. Only errors we raise on
 * purpose expose their message; anything else is `internal`, with the detail in the log alone.
 */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof NotFoundError) return new ApiError('not_found', error.message);
  if (error instanceof AlreadyExistsError) return new ApiError('already_exists', error.message);
  if (error instanceof MissingReferenceError) return new ApiError('failed_precondition', error.message);
  if (error instanceof DatabaseUnavailableError || (error instanceof DatabaseError && error.connection)) {
    return new ApiError(
      'unavailable',
      `the database is unavailable; retry in ${retryAfterSeconds} s`,
      retryAfterSeconds,
    );
  }
  if (error instanceof InvalidPageTokenError) {
    return new ApiError('invalid_argument', 'pagination.token: is not a token this server gave out');
  }
  const fastifyError = error as Partial<FastifyError>;
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('resource_exhausted', 'body: must be at most 1 MiB (1048576 bytes)');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError('invalid_argument', 'Content-Type: must be application/json (Connect JSON)');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError('invalid_argument', 'Content-Length: does not match the body');
  }
  if (fastifyError.statusCode === 503) return new ApiError('unavailable', 'the server is shutting down');
  return new ApiError('internal', 'internal error; the server log has the detail');
}

/** What an `unavailable` answer tells clients to wait: a restarting database is back in seconds. */
export const retryAfterSeconds = 2;

export function sendApiError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const apiError = toApiError(error);
  request.apiErrorCode = apiError.code;
  if (apiError.code === 'internal') request.log.error({ err: error }, 'request failed');
  else if (error instanceof DatabaseUnavailableError) {
    request.log.warn({ code: apiError.code, reason: error.reason }, 'database unavailable');
  } else if (error instanceof DatabaseError) {
    request.log.warn({ code: apiError.code, err: error }, 'database unavailable');
  } else request.log.info({ code: apiError.code, message: apiError.message }, 'request refused');
  if (apiError.retryAfterSeconds !== undefined)
    reply.header('retry-after', String(apiError.retryAfterSeconds));
  return reply.code(httpStatusOf[apiError.code]).type('application/json').send(apiError.toJSON());
}

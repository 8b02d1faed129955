import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../core/errors.ts';
import {
  AlreadyExistsError,
  DatabaseUnavailableError,
  InvalidPageTokenError,
  MissingReferenceError,
  NotFoundError,
} from '../../store/errors.ts';

/**
 * Turns anything thrown while serving a request into Connect's error JSON. Only errors we raise on
 * purpose expose their message; anything else is `internal`, with the detail in the log alone.
 */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof NotFoundError) return new ApiError('not_found', error.message);
  if (error instanceof AlreadyExistsError) return new ApiError('already_exists', error.message);
  if (error instanceof MissingReferenceError) return new ApiError('failed_precondition', error.message);
  if (error instanceof DatabaseUnavailableError) {
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
  if (apiError.code === 'internal') request.log.error({ err: error }, 'request failed');
  else if (error instanceof DatabaseUnavailableError) {
    request.log.warn({ code: apiError.code, reason: error.reason }, 'database unavailable');
  } else request.log.info({ code: apiError.code, message: apiError.message }, 'request refused');
  if (apiError.retryAfterSeconds !== undefined)
    reply.header('retry-after', String(apiError.retryAfterSeconds));
  return reply.code(apiError.httpStatus).type('application/json').send(apiError.toJSON());
}

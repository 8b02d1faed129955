import type { Socket } from 'node:net';
import type { FastifyServerOptions } from 'fastify';

/**
 * Requests Node refuses before any route sees them (a head over its size limit, a request slower than
 * the request timeout, bytes that are not HTTP) keep their HTTP status, but their body is a Connect
 * error like every other answer of the API, so a client can always read `{code, message}`.
 */
const refusals: Record<string, { status: number; reason: string; code: string; message: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    reason: 'Request Header Fields Too Large',
    code: 'resource_exhausted',
    message: 'request head: the request line and headers must be at most 16 KiB in all',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    reason: 'Request Timeout',
    code: 'deadline_exceeded',
    message:
      "the request was not complete within the server's request timeout (envid serve --request-timeout)",
  },
};
const malformed = {
  status: 400,
  reason: 'Bad Request',
  code: 'invalid_argument',
  message: 'the request is not valid HTTP/1.1',
};

export const answerClientError: NonNullable<FastifyServerOptions['clientErrorHandler']> = (
  error: NodeJS.ErrnoException,
  socket: Socket,
) => {
  // A reset connection has nobody left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const refusal = refusals[error.code ?? ''] ?? malformed;
  const body = JSON.stringify({ code: refusal.code, message: refusal.message });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${refusal.status} ${refusal.reason}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: application/json\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
};

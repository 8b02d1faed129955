import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller's principal kind, once known (for the request log and metrics). */
    principalKind: string | undefined;
    /** The API error code the request was answered with, if any. */
    apiErrorCode: string | undefined;
  }
}

/** Declares the two fields up front, so every request object has the same shape (no hidden-class change). */
export function decorateRequestOutcome(app: FastifyInstance): void {
  app.decorateRequest('principalKind', undefined);
  app.decorateRequest('apiErrorCode', undefined);
}

import type { ServerOptions } from 'node:http';
import type { FastifyServerOptions } from 'fastify';

/** How long a client may take, and how many connections the server holds at once. */
export interface ConnectionLimits {
  /** From the connection (or a kept-alive request's first byte) until the request head has arrived. */
  headersTimeoutMs: number;
  /** From the same start until the whole request, body included, has arrived. */
  requestTimeoutMs: number;
  /** How long a connection may sit idle between requests. */
  keepAliveTimeoutMs: number;
  /** Connections beyond this are closed as they arrive. */
  maxConnections: number;
}

export const defaultConnectionLimits: ConnectionLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  // Longer than the 60 s idle timeout of common load balancers, which would otherwise send a request
  // on a connection envid is closing.
  keepAliveTimeoutMs: 72_000,
  maxConnections: 1000,
};

/**
 * Fastify's options for these limits. Node's HTTP server enforces the header and request timeouts by
 * checking its connections every `connectionsCheckingInterval` (30 s by default, which let a slow client
 * keep a connection for half a minute past its deadline): here a tenth of the shorter timeout, at most
 * 1 s. A connection that never sends a byte is held to the header timeout too.
 */
export function connectionServerOptions(
  limits: ConnectionLimits,
): Pick<FastifyServerOptions, 'keepAliveTimeout' | 'requestTimeout'> & { http: ServerOptions } {
  const shorter = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  return {
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    http: {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(shorter / 10))),
    },
  };
}

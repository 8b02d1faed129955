import type { FastifyInstance, FastifyReply, FastifyRequest, onResponseHookHandler } from 'fastify';
import { apiPrefix } from '../connect/register-methods.ts';
import type { ServerMetrics } from './server-metrics.ts';

const tokenRoute = 'IdentityService/GetIDToken';

/** The route as logs and metrics name it: an API method or a path pattern (never the raw path). */
const routeName = (pattern: string): string =>
  pattern.startsWith(apiPrefix) ? pattern.slice(apiPrefix.length) : pattern;

interface RequestLogOptions {
  log: boolean;
  metrics: ServerMetrics | undefined;
}

/**
 * One line per answered request at info (method, route, principal kind, status, error code, duration),
 * and the latency and token metrics. Nothing a client typed goes in: no path, query, header or body.
 *
 * Each route gets its own hook, made when the route is registered, that already knows the route's
 * name: a request pays no look-up of its route (Fastify's `routeOptions` builds an object per read).
 * Requests that match no route are caught by one global hook that ignores every other request.
 */
export function registerRequestLog(app: FastifyInstance, options: RequestLogOptions): void {
  if (!options.log && !options.metrics) return;
  app.addHook('onRoute', (route) => {
    const hook = responseHook(routeName(route.url ?? route.path), options);
    const existing = route.onResponse;
    route.onResponse = existing === undefined ? [hook] : [...[existing].flat(), hook];
  });
  const unmatched = responseHook('unmatched', options);
  app.addHook('onResponse', (request, reply, done) => {
    if (request.is404) unmatched.call(app, request, reply, done);
    else done();
  });
}

function responseHook(route: string, { log, metrics }: RequestLogOptions): onResponseHookHandler {
  const countsTokens = route === tokenRoute;
  // Bound on the first answer, so routes never called add no series.
  let observe: ((seconds: number) => void) | undefined;
  return function recordResponse(request: FastifyRequest, reply: FastifyReply, done: () => void) {
    const ms = reply.elapsedTime;
    if (metrics) {
      observe ??= metrics.latencyOf(route);
      observe(ms / 1000);
      if (countsTokens) {
        metrics.countToken(request.principalKind ?? 'none', reply.statusCode === 200 ? 'issued' : 'refused');
      }
    }
    if (log) {
      request.log.info(
        {
          method: request.method,
          route,
          principal: request.principalKind ?? 'none',
          status: reply.statusCode,
          ...(request.apiErrorCode ? { code: request.apiErrorCode } : {}),
          ms: Math.round(ms * 100) / 100,
        },
        'request',
      );
    }
    done();
  };
}

import type { FastifyInstance } from 'fastify';
import { apiPrefix } from '../connect/register-methods.ts';
import type { ServerMetrics } from './server-metrics.ts';

const tokenRoute = `${apiPrefix}IdentityService/GetIDToken`;

/** The route as logs and metrics name it: an API method, a path pattern, or `unmatched` (never the raw path). */
function routeName(pattern: string | undefined): string {
  if (pattern === undefined) return 'unmatched';
  return pattern.startsWith(apiPrefix) ? pattern.slice(apiPrefix.length) : pattern;
}

/**
 * One line per answered request at info (method, route, principal kind, status, error code, duration),
 * and the latency and token metrics. Nothing a client typed goes in: no path, query, header or body.
 */
export function registerRequestLog(
  app: FastifyInstance,
  options: { log: boolean; metrics: ServerMetrics | undefined },
): void {
  const { log, metrics } = options;
  if (!log && !metrics) return;
  app.addHook('onResponse', (request, reply, done) => {
    const pattern = request.routeOptions.url;
    const route = routeName(pattern);
    const ms = reply.elapsedTime;
    if (metrics) {
      metrics.observeRequest(route, ms / 1000);
      if (pattern === tokenRoute) {
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
  });
}

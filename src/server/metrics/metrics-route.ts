import type { FastifyInstance } from 'fastify';
import { ApiError } from '../../core/errors.ts';
import { bearerMatches } from './metrics-access.ts';
import type { ServerMetrics } from './server-metrics.ts';

/** `GET /metrics` on the main port, for a scraper that presents the metrics token (`--metrics-token-file`). */
export function registerMetricsRoute(app: FastifyInstance, metrics: ServerMetrics, token: string): void {
  app.get('/metrics', async (request, reply) => {
    if (!bearerMatches(request.headers.authorization, token)) {
      throw new ApiError(
        'unauthenticated',
        'Authorization header must be "Bearer <metrics token>" (the contents of --metrics-token-file)',
      );
    }
    const body = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(body);
  });
}

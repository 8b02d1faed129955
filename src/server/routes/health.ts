import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/store.ts';

/** Liveness answers while the process serves; readiness also needs the database. */
export function registerHealthRoutes(app: FastifyInstance, store: Store): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (request, reply) => {
    try {
      await store.ping();
      return { status: 'ok' };
    } catch (error) {
      request.log.warn({ err: error }, 'database unreachable');
      return reply.code(503).send({ status: 'unavailable', message: 'the database is unreachable' });
    }
  });
}

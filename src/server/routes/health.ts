import type { FastifyInstance } from 'fastify';
import { DatabaseUnavailableError } from '../../store/errors.ts';
import type { Store } from '../../store/store.ts';
import { retryAfterSeconds } from '../connect/errors.ts';

/** A readiness probe must answer within its own timeout (often 1 s) even when the database is frozen. */
export const readinessDeadlineMs = 900;

/** Liveness answers while the process serves; readiness also needs the database, within a deadline. */
export function registerHealthRoutes(app: FastifyInstance, store: Store): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (request, reply) => {
    const reason = await pingWithin(store, readinessDeadlineMs);
    // Reported, not required: without notifications caches still drop entries after 30 s.
    const changeNotifications = store.changesConnected() ? 'connected' : 'reconnecting';
    if (reason === undefined) return { status: 'ok', changeNotifications };
    request.log.warn({ reason }, 'not ready: database unreachable');
    return reply
      .code(503)
      .header('retry-after', String(retryAfterSeconds))
      .send({
        status: 'unavailable',
        message: `the database is unreachable: ${reason}`,
        changeNotifications,
      });
  });
}

/** Undefined when the database answered in time, else why not (words only, no query detail). */
async function pingWithin(store: Store, deadlineMs: number): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${deadlineMs} ms`), deadlineMs);
  });
  const ping = store.ping().then(
    () => undefined,
    (error: unknown) => (error instanceof DatabaseUnavailableError ? error.reason : 'the ping failed'),
  );
  try {
    return await Promise.race([ping, late]);
  } finally {
    clearTimeout(timer);
  }
}

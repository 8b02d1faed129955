import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { type Clock, systemClock } from '../core/clock.ts';
import type { Store } from '../store/store.ts';
import { Authenticator } from './auth/authenticator.ts';
import { ChangeFeed } from './cache/change-feed.ts';
import type { MethodDefinition, ServerContext } from './connect/define-method.ts';
import { registerMethods } from './connect/register-methods.ts';
import { apiMethods } from './routes/api/index.ts';
import { registerHealthRoutes } from './routes/health.ts';

export interface ServerOptions {
  store: Store;
  clock?: Clock;
  /** Fastify's logger option; off unless given. */
  logger?: FastifyServerOptions['logger'];
  /** Extra methods, for tests. */
  methods?: MethodDefinition[];
}

/** A client may name its request for log correlation; anything odd is replaced, so logs stay clean. */
const requestIdShape = /^[A-Za-z0-9._-]{1,64}$/;

/** Builds the HTTP application. It never listens by itself: callers `listen()` or `inject()`. */
export function buildServer(options: ServerOptions): FastifyInstance {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: 1024 * 1024,
    requestIdHeader: false,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && requestIdShape.test(given) ? given : randomUUID();
    },
    return503OnClosing: true,
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  const clock = options.clock ?? systemClock;
  const changes = new ChangeFeed(options.store);
  app.addHook('onReady', () => changes.start());
  app.addHook('onClose', () => changes.stop());
  const authenticator = new Authenticator(options.store, clock, changes);
  const context: ServerContext = { store: options.store, clock, changes, authenticator };
  registerHealthRoutes(app, options.store);
  registerMethods(app, context, [...apiMethods, ...(options.methods ?? [])]);
  return app;
}

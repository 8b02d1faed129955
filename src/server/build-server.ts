import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify';
import { type Clock, systemClock } from '../core/clock.ts';
import type { KeyMaterial } from '../core/keys/generate-key.ts';
import type { MasterKey } from '../core/keys/master-key.ts';
import type { RotationPolicy } from '../core/keys/rotation-policy.ts';
import type { Store } from '../store/store.ts';
import { AuditPartitionKeeper } from './audit/audit-partition-keeper.ts';
import { StoreAuditLog } from './audit/store-audit-log.ts';
import { Authenticator } from './auth/authenticator.ts';
import { ChangeFeed } from './cache/change-feed.ts';
import { answerClientError } from './connect/client-errors.ts';
import type { MethodDefinition, ServerContext } from './connect/define-method.ts';
import { registerMethods } from './connect/register-methods.ts';
import { KeyManager } from './keys/key-manager.ts';
import {
  type ConnectionLimits,
  connectionServerOptions,
  defaultConnectionLimits,
} from './limits/connection-limits.ts';
import { type RequestLimitOptions, RequestLimits } from './limits/request-limits.ts';
import { registerMetricsRoute } from './metrics/metrics-route.ts';
import { registerRequestLog } from './metrics/request-log.ts';
import { decorateRequestOutcome } from './metrics/request-outcome.ts';
import type { ServerMetrics } from './metrics/server-metrics.ts';
import { apiMethods } from './routes/api/index.ts';
import { registerHealthRoutes } from './routes/health.ts';
import { answerDocumentRequest, type OidcDocuments, registerOidcRoutes } from './routes/oidc.ts';
import { serializeError } from './serialize-error.ts';
import { registerSsoCliRoutes } from './sso/sso-cli-routes.ts';
import { registerSsoRoutes } from './sso/sso-routes.ts';
import { TokenSubjects } from './tokens/token-subjects.ts';

export interface ServerOptions {
  store: Store;
  /** The issuer URL exactly as tokens carry it; a function when it is known only once listening. */
  issuer: string | (() => string);
  /** Encrypts signing keys at rest. */
  masterKey: MasterKey;
  clock?: Clock;
  rotationPolicy?: RotationPolicy;
  /** RSA modulus size of new signing keys (2048 or more). */
  keyBits?: number;
  /** Makes signing key material; tests inject fixed keys. */
  generateKey?: () => Promise<KeyMaterial>;
  /**
   * Reverse proxies (addresses, CIDR ranges, `loopback`…) whose `X-Forwarded-For` names the client: the
   * audit log's client address. None by default: anyone can send the header.
   */
  trustProxy?: string[];
  /** Timeouts and the connection cap; each defaults to `envid serve`'s default. */
  connections?: Partial<ConnectionLimits>;
  /** Request rate limits; each defaults to `envid serve`'s default. */
  limits?: RequestLimitOptions;
  /** Serve HTTPS with this certificate chain and key (PEM); plain HTTP without. */
  tls?: { cert: Buffer | string; key: Buffer | string };
  /** Fastify's logger option; off unless given. */
  logger?: FastifyServerOptions['logger'];
  /** How long an SSO issuer's discovery document may take when a configuration is saved. */
  ssoDiscoveryTimeoutMs?: number;
  /** Days the audit log keeps a month after it ends (whole months are dropped); kept forever when absent. */
  auditRetentionDays?: number;
  /**
   * Where this server's metrics are kept (the caller serves them on a listener of its own, or with
   * `metricsToken` on this port). None by default: then nothing is measured and /metrics is 404.
   */
  metrics?: ServerMetrics;
  /** Serves `GET /metrics` on this port to a scraper that sends `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string;
  /** Extra methods, for tests. */
  methods?: MethodDefinition[];
}

/** A client may name its request for log correlation; anything odd is replaced, so logs stay clean. */
const requestIdShape = /^[A-Za-z0-9._-]{1,64}$/;
const requestIdOf = (headers: IncomingHttpHeaders): string => {
  const given = headers['x-request-id'];
  return typeof given === 'string' && requestIdShape.test(given) ? given : randomUUID();
};

const requestLogging = (level: string): boolean => level === 'debug' || level === 'trace';

/** Every `err` logged goes through serializeError: no driver error, statement or parameter in the log. */
function withSafeErrors(logger: ServerOptions['logger']): FastifyServerOptions['logger'] {
  if (!logger) return false;
  const options = logger === true ? {} : logger;
  // Fastify's type wants message and stack; a driver's error has neither here, on purpose.
  const err = serializeError as (error: unknown) => { type: string; message: string; stack: string };
  return { ...options, serializers: { ...options.serializers, err } };
}

/**
 * Builds the HTTP application. It never listens by itself: callers `listen()` or `inject()`. On ready it
 * subscribes to the store's changes and loads (on first start, creates) the signing keys.
 */
export function buildServer(options: ServerOptions): FastifyInstance {
  const connections = { ...defaultConnectionLimits, ...options.connections };
  const serverOptions = connectionServerOptions(connections);
  const app = Fastify({
    ...serverOptions,
    // With https Fastify ignores `http`: the same timeouts go to https.createServer with the pair.
    ...(options.tls
      ? { https: { ...serverOptions.http, cert: options.tls.cert, key: options.tls.key } }
      : {}),
    logger: withSafeErrors(options.logger),
    bodyLimit: 1024 * 1024,
    requestIdHeader: false,
    genReqId: (request) => requestIdOf(request.headers),
    return503OnClosing: true,
    clientErrorHandler: answerClientError,
    trustProxy: options.trustProxy ?? false,
    // Fastify's two lines per request cost a token request more than anything but its signature (see
    // BENCHMARKS.md): they are written only at debug. Tokens are in the audit log; refusals and
    // failures are logged at info and error by the error handler whatever the level.
    logController: new LogController({
      disableRequestLogging: (request) => !requestLogging(request.log.level),
    }),
  });
  app.server.maxConnections = connections.maxConnections;
  // Discovery and the JWKS are answered before Fastify (the same answer for about two thirds of the
  // cost; relying parties fetch them often), unless requests are being logged (debug) or the server is
  // closing (then Fastify answers, with its 503). Fastify's own listener handles everything else.
  let documents: OidcDocuments | undefined;
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  answerBeforeFastify(
    app,
    (request, response) =>
      documents !== undefined &&
      !closing &&
      !requestLogging(app.log.level) &&
      answerDocumentRequest(documents, request, response, () => requestIdOf(request.headers)),
  );
  // Set as the request arrives (a synchronous hook: no promise per request), so every answer carries it.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });

  const { store } = options;
  const clock = options.clock ?? systemClock;
  const issuer = typeof options.issuer === 'string' ? () => options.issuer as string : options.issuer;
  const { metrics } = options;
  const changes = new ChangeFeed(store);
  const audit = new StoreAuditLog(
    store,
    clock,
    metrics ? (size, seconds) => metrics.observeAuditFlush(size, seconds) : undefined,
  );
  const keys = new KeyManager(store, clock, changes, {
    masterKey: options.masterKey,
    ...(options.rotationPolicy ? { policy: options.rotationPolicy } : {}),
    ...(options.keyBits ? { modulusBits: options.keyBits } : {}),
    ...(options.generateKey ? { generate: options.generateKey } : {}),
  });
  const auditPartitions = new AuditPartitionKeeper(store, clock, audit, app.log, options.auditRetentionDays);
  app.addHook('onReady', async () => {
    await changes.start();
    await keys.start();
    await auditPartitions.start();
  });
  app.addHook('onClose', async () => {
    keys.stop();
    await auditPartitions.stop();
    await audit.drained();
    await changes.stop();
  });

  const authenticator = new Authenticator(store, clock, changes);
  const limits = new RequestLimits(options.limits);
  const subjects = new TokenSubjects(store, clock, changes);
  const context: ServerContext = {
    store,
    clock,
    changes,
    authenticator,
    limits,
    tokens: { issuer, keys, subjects, audit },
    sso: {
      masterKey: options.masterKey,
      ...(options.ssoDiscoveryTimeoutMs ? { discoveryTimeoutMs: options.ssoDiscoveryTimeoutMs } : {}),
    },
  };
  decorateRequestOutcome(app);
  registerRequestLog(app, { log: Boolean(options.logger), metrics });
  if (metrics) {
    metrics.describe({
      clock,
      store,
      keys,
      audit,
      caches: { credentials: authenticator.cache, token_subjects: subjects.cache },
      limits,
    });
    if (options.metricsToken) registerMetricsRoute(app, metrics, options.metricsToken);
  }
  registerHealthRoutes(app, store);
  documents = registerOidcRoutes(app, { issuer, keys });
  registerMethods(app, context, [...apiMethods, ...(options.methods ?? [])]);
  registerSsoRoutes(app, context);
  registerSsoCliRoutes(app, context);
  return app;
}

/** Puts `answer` in front of Fastify's request listener: what it does not answer goes on to Fastify. */
function answerBeforeFastify(
  app: FastifyInstance,
  answer: (request: IncomingMessage, response: ServerResponse) => boolean,
): void {
  const fastifyListener = app.server.listeners('request')[0] as RequestListener;
  app.server.removeListener('request', fastifyListener);
  app.server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    if (!answer(request, response)) fastifyListener(request, response);
  });
}

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { systemClock } from '../core/clock.ts';
import { defaultRotationPolicy, validateRotationPolicy } from '../core/keys/rotation-policy.ts';
import { openStore } from '../store/open-store.ts';
import { restrictTree } from '../store/private-dir.ts';
import type { Store } from '../store/store.ts';
import { ensureBootstrapCredential } from './bootstrap.ts';
import { buildServer } from './build-server.ts';
import { resolveServeConfig, type ServeConfig, type ServeFlags } from './config.ts';
import { loadMasterKey } from './keys/load-master-key.ts';
import { describeListenError, tryListen } from './listen-check.ts';

/** Expected start-up failures: a message for the operator, no stack trace. */
class StartError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/**
 * `envid serve`: open the database, make sure there is an admin credential and signing keys, listen,
 * and on SIGTERM finish in-flight requests and exit 0.
 */
export async function runServer(flags: ServeFlags, env: NodeJS.ProcessEnv): Promise<void> {
  try {
    await start(flags, env);
  } catch (error) {
    if (!(error instanceof StartError)) throw error;
    process.stderr.write(`envid serve: ${error.message}\n`);
    process.exit(error.exitCode);
  }
}

async function start(flags: ServeFlags, env: NodeJS.ProcessEnv): Promise<void> {
  const config = attempt(() => resolveServeConfig(flags, env), 2);
  const policy = attempt(
    () =>
      validateRotationPolicy({
        ...defaultRotationPolicy,
        rotationPeriodSeconds: config.keyRotationDays * 86_400,
      }),
    2,
  );
  // Port 0 always finds a free port; any other is tried before anything is created or printed.
  if (config.port !== 0) {
    const error = await tryListen(config.host, config.port);
    if (error) {
      throw new StartError(
        describeListenError(error, config.host, config.port) ?? `cannot listen: ${error.message}`,
        2,
      );
    }
  }
  // The data directory holds the master key, the bootstrap token and the embedded database: owner-only,
  // and one an older envid (or a copy) left looser is tightened before anything is read from it.
  if (existsSync(config.dataDir)) attempt(() => restrictTree(config.dataDir), 1);
  const masterKey = attempt(() => loadMasterKey(env, config.dataDir), 2).key;
  const logger = pino({ level: config.logLevel });
  const store = await openStore(
    config.databaseUrl
      ? {
          databaseUrl: config.databaseUrl,
          connectTimeoutMs: config.databaseConnectTimeout * 1000,
          queryTimeoutMs: config.databaseQueryTimeout * 1000,
        }
      : { dataDir: join(config.dataDir, 'pglite') },
  ).catch((error: Error) => {
    throw new StartError(`cannot open the database: ${error.message}`, 1);
  });
  try {
    await bootstrap(store, config, env);
  } catch (error) {
    await store.close();
    throw error;
  }

  let listeningAt = `http://${config.host}:${config.port}`;
  const app = buildServer({
    store,
    clock: systemClock,
    issuer: config.issuer ?? (() => listeningAt),
    masterKey,
    rotationPolicy: policy,
    keyBits: config.keyBits,
    ...(config.trustProxy ? { trustProxy: config.trustProxy } : {}),
    connections: {
      headersTimeoutMs: Math.round(config.headersTimeout * 1000),
      requestTimeoutMs: Math.round(config.requestTimeout * 1000),
      keepAliveTimeoutMs: Math.round(config.keepAliveTimeout * 1000),
      maxConnections: config.maxConnections,
    },
    limits: {
      tokens: config.tokenRateLimit,
      authFailures: config.authFailureLimit,
      ssoCli: config.ssoCliRateLimit,
    },
    logger: { level: config.logLevel },
  });
  try {
    await app.ready();
  } catch (error) {
    await store.close();
    throw new StartError(`cannot start: ${(error as Error).message}`, 1);
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: finishing in-flight requests');
    // Connections that go idle after their last response would otherwise linger for the keep-alive timeout.
    const closeIdle = setInterval(() => app.server.closeIdleConnections(), 50);
    await app.close();
    clearInterval(closeIdle);
    await store.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  try {
    listeningAt = await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    // Taken since the check above (a race); the address is still the operator's to change.
    const reason = describeListenError(error, config.host, config.port);
    if (!reason) throw error;
    await app.close();
    await store.close();
    throw new StartError(reason, 2);
  }
  logger.info(
    { address: listeningAt, database: store.engine, issuer: config.issuer ?? listeningAt },
    'listening',
  );
  process.stdout.write(`envid listening on ${listeningAt}\n`);
}

async function bootstrap(store: Store, config: ServeConfig, env: NodeJS.ProcessEnv): Promise<void> {
  const result = await ensureBootstrapCredential(store, systemClock, {
    ...(env.ENVID_BOOTSTRAP_TOKEN ? { token: env.ENVID_BOOTSTRAP_TOKEN } : {}),
    dataDir: config.dataDir,
  }).catch((error: Error) => {
    throw new StartError(error.message, 2);
  });
  if (result.generatedSecret) {
    // Printed once, on the terminal only (never through the logger).
    process.stderr.write(
      `\nInstallation admin token (shown once; also written to ${result.writtenTo}):\n  ${result.generatedSecret}\n\n`,
    );
  }
}

function attempt<T>(work: () => T, exitCode: number): T {
  try {
    return work();
  } catch (error) {
    throw new StartError((error as Error).message, exitCode);
  }
}

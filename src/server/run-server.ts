import cluster from 'node:cluster';
import { existsSync } from 'node:fs';
import type { Server as HttpsServer } from 'node:https';
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
import {
  ensureInstallationSettings,
  InstallationSettingsMismatch,
  replaceSettingsVariable,
} from './installation/installation-settings.ts';
import { loadMasterKey } from './keys/load-master-key.ts';
import { describeListenError, metricsListenSettings, tryListen } from './listen-check.ts';
import { loadMetricsToken } from './metrics/load-metrics-token.ts';
import { listenForMetrics, type MetricsListener } from './metrics/metrics-listener.ts';
import { ServerMetrics } from './metrics/server-metrics.ts';
import { loadTlsPair, looseKeyMode, type TlsPair } from './tls/load-tls-pair.ts';
import { TlsReloader } from './tls/tls-reloader.ts';
import { runPrimary } from './workers/run-primary.ts';
import type { ListeningMessage } from './workers/worker-messages.ts';

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
  // Port 0 always finds a free port; any other is tried before anything is created or printed (by the
  // primary, once, when there are workers).
  if (config.port !== 0 && !cluster.isWorker) {
    const error = await tryListen(config.host, config.port);
    if (error) {
      throw new StartError(
        describeListenError(error, config.host, config.port) ?? `cannot listen: ${error.message}`,
        2,
      );
    }
  }
  // The metrics address and token file, like the main address, are checked before anything is created.
  const { metricsListen, metricsTokenFile } = config;
  if (metricsListen && metricsListen.port !== 0) {
    const error = await tryListen(metricsListen.host, metricsListen.port);
    if (error) {
      const reason =
        describeListenError(error, metricsListen.host, metricsListen.port, metricsListenSettings) ??
        `cannot listen for metrics: ${error.message}`;
      throw new StartError(reason, 2);
    }
  }
  const metricsToken = metricsTokenFile ? attempt(() => loadMetricsToken(metricsTokenFile), 2) : undefined;
  const metrics = metricsListen || metricsToken ? new ServerMetrics() : undefined;
  // Before anything is created: a pair that does not load changes nothing.
  const tlsFiles = config.tls;
  const tls: TlsPair | undefined = tlsFiles ? attempt(() => loadTlsPair(tlsFiles), 2) : undefined;
  // The data directory holds the master key, the bootstrap token and the embedded database: owner-only,
  // and one an older envid (or a copy) left looser is tightened before anything is read from it.
  if (existsSync(config.dataDir)) attempt(() => restrictTree(config.dataDir), 1);
  const masterKey = attempt(() => loadMasterKey(env, config.dataDir), 2).key;
  const logger = pino({ level: config.logLevel });
  const looseMode = tlsFiles && looseKeyMode(tlsFiles.keyFile);
  if (looseMode) {
    logger.warn(
      { keyFile: tlsFiles.keyFile, mode: looseMode },
      'tls: the private key file is readable by group or others; chmod 600 it',
    );
  }
  if (config.workers > 1 && cluster.isPrimary) {
    // The key file exists now (created above on a first start), so the workers all read the same one.
    runPrimary(config.workers, logger);
    return;
  }
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
    await checkInstallationSettings(store, config, masterKey.id, env);
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
    ...(config.auditRetentionDays !== undefined ? { auditRetentionDays: config.auditRetentionDays } : {}),
    connections: {
      headersTimeoutMs: Math.round(config.headersTimeout * 1000),
      requestTimeoutMs: Math.round(config.requestTimeout * 1000),
      keepAliveTimeoutMs: Math.round(config.keepAliveTimeout * 1000),
      maxConnections: config.maxConnections,
    },
    limits: {
      tokens: config.tokenRateLimit,
      authFailures: config.authFailureLimit,
      ssoStarts: config.ssoStartLimit,
      ssoCli: config.ssoCliRateLimit,
    },
    ...(tls ? { tls } : {}),
    logger: { level: config.logLevel },
    ...(metrics ? { metrics } : {}),
    ...(metricsToken ? { metricsToken } : {}),
  });
  const reloader =
    tls && tlsFiles ? new TlsReloader(app.server as HttpsServer, tlsFiles, tls, logger) : undefined;
  try {
    await app.ready();
  } catch (error) {
    await store.close();
    throw new StartError(`cannot start: ${(error as Error).message}`, 1);
  }
  let stopping = false;
  let metricsListener: MetricsListener | undefined;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    reloader?.stop();
    logger.info({ signal }, 'stopping: finishing in-flight requests');
    // Connections that go idle after their last response would otherwise linger for the keep-alive timeout.
    const closeIdle = setInterval(() => app.server.closeIdleConnections(), 50);
    await Promise.all([app.close(), metricsListener?.close()]);
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
  reloader?.start();
  const listening = { address: listeningAt, database: store.engine, issuer: config.issuer ?? listeningAt };
  if (cluster.isWorker) {
    // The primary prints the one "listening" line once every worker listens.
    logger.debug({ ...listening, worker: env.ENVID_WORKER_INDEX }, 'worker listening');
    process.send?.({ type: 'envid-listening', address: listeningAt } satisfies ListeningMessage);
    return;
  }
  logger.info(listening, 'listening');
  process.stdout.write(`envid listening on ${listeningAt}\n`);
  if (metrics && metricsListen) {
    try {
      metricsListener = await listenForMetrics(metrics, metricsListen.host, metricsListen.port);
    } catch (error) {
      await app.close();
      await store.close();
      throw new StartError(
        describeListenError(error, metricsListen.host, metricsListen.port, metricsListenSettings) ??
          `cannot listen for metrics: ${(error as Error).message}`,
        2,
      );
    }
    logger.info({ address: `${metricsListener.address}/metrics` }, 'metrics listening');
    process.stdout.write(`envid metrics on ${metricsListener.address}/metrics\n`);
  }
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

/** Refuses to start a server that would not act as one issuer with the others on its database. */
async function checkInstallationSettings(
  store: Store,
  config: ServeConfig,
  masterKeyId: string,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const current = {
    ...(config.issuer ? { issuer: config.issuer } : {}),
    masterKeyId,
    keyBits: config.keyBits,
    keyRotationDays: config.keyRotationDays,
  };
  const replace = env[replaceSettingsVariable] ?? '';
  if (!['', '0', '1'].includes(replace)) {
    throw new StartError(
      `${replaceSettingsVariable} must be 1 (record this server's settings) or 0 or unset`,
      2,
    );
  }
  const outcome = await ensureInstallationSettings(store, systemClock, current, {
    replace: replace === '1',
  }).catch((error: Error) => {
    throw new StartError(error.message, error instanceof InstallationSettingsMismatch ? 2 : 1);
  });
  if (outcome === 'replaced') {
    process.stderr.write(
      `envid serve: recorded this server's settings in the database (${replaceSettingsVariable}=1)\n`,
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

import { join } from 'node:path';
import pino from 'pino';
import { systemClock } from '../core/clock.ts';
import { openStore } from '../store/open-store.ts';
import { ensureBootstrapCredential } from './bootstrap.ts';
import { buildServer } from './build-server.ts';
import { ConfigError, resolveServeConfig, type ServeFlags } from './config.ts';

/** `envid serve`: open the database, make sure there is an admin credential, listen, stop cleanly on SIGTERM. */
export async function runServer(flags: ServeFlags, env: NodeJS.ProcessEnv): Promise<void> {
  let config: ReturnType<typeof resolveServeConfig>;
  try {
    config = resolveServeConfig(flags, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`envid serve: ${error.message}\n`);
    process.exit(2);
  }
  const logger = pino({ level: config.logLevel, redact: ['req.headers.authorization'] });
  const store = await openStore(
    config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: join(config.dataDir, 'pglite') },
  ).catch((error: Error) => {
    process.stderr.write(`envid serve: cannot open the database: ${error.message}\n`);
    process.exit(1);
  });
  const bootstrap = await ensureBootstrapCredential(store, systemClock, {
    ...(env.ENVID_BOOTSTRAP_TOKEN ? { token: env.ENVID_BOOTSTRAP_TOKEN } : {}),
    dataDir: config.dataDir,
  }).catch(async (error: Error) => {
    process.stderr.write(`envid serve: ${error.message}\n`);
    await store.close();
    process.exit(2);
  });
  if (bootstrap.generatedSecret) {
    // Printed once, on the terminal only (never through the logger).
    process.stderr.write(
      `\nInstallation admin token (shown once; also written to ${bootstrap.writtenTo}):\n  ${bootstrap.generatedSecret}\n\n`,
    );
  }

  const app = buildServer({ store, clock: systemClock, logger: { level: config.logLevel } });
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

  const address = await app.listen({ port: config.port, host: config.host });
  logger.info({ address, database: store.engine }, 'listening');
  process.stdout.write(`envid listening on ${address}\n`);
}

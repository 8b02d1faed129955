import { createServer } from 'node:net';

const mainListenSettings = { port: '--port (env ENVID_PORT)', host: '--host (env ENVID_LISTEN_HOST)' };
/** The metrics listener's address is one setting. */
export const metricsListenSettings = {
  port: 'port in --metrics-listen (env ENVID_METRICS_LISTEN)',
  host: 'host in --metrics-listen (env ENVID_METRICS_LISTEN)',
};

/**
 * Why `envid serve` could not listen on `host:port`, said for the operator (the flag and variable to
 * change); undefined for an error that is not about the address.
 */
export function describeListenError(
  error: unknown,
  host: string,
  port: number,
  settings: { port: string; host: string } = mainListenSettings,
): string | undefined {
  switch ((error as NodeJS.ErrnoException | undefined)?.code) {
    case 'EADDRINUSE':
      return `port ${port} is in use on ${host}: stop what listens there, or choose another ${settings.port}`;
    case 'EACCES':
      return `port ${port} on ${host} needs privileges this process lacks: choose another ${settings.port}, e.g. 8080`;
    case 'EADDRNOTAVAIL':
      return `${host} is not an address of this machine: choose another ${settings.host}`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `${settings.host} names ${host}, which does not resolve to an address`;
    default:
      return undefined;
  }
}

/**
 * Listens on `host:port` for a moment and lets go, answering why that failed (undefined when it worked).
 * `envid serve` does it before it creates anything, so that a busy port costs no data directory and
 * prints no admin token; the real listen comes after the database is open (and reports the same way).
 */
export function tryListen(host: string, port: number): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => resolve(error));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(undefined)));
  });
}

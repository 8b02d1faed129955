import { createServer } from 'node:net';

/**
 * Why `envid serve` could not listen on `host:port`, said for the operator (the flag and variable to
 * change); undefined for an error that is not about the address.
 */
export function describeListenError(error: unknown, host: string, port: number): string | undefined {
  switch ((error as NodeJS.ErrnoException | undefined)?.code) {
    case 'EADDRINUSE':
      return `port ${port} is in use on ${host}: stop what listens there, or choose another --port (env ENVID_PORT)`;
    case 'EACCES':
      return `port ${port} on ${host} needs privileges this process lacks: choose another --port (env ENVID_PORT), e.g. 8080`;
    case 'EADDRNOTAVAIL':
      return `${host} is not an address of this machine: choose another --host (env ENVID_LISTEN_HOST)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `--host ${host} (env ENVID_LISTEN_HOST) does not resolve to an address`;
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

import autocannon from 'autocannon';
import { cpuSeconds } from './child-process.ts';

/** One load run's figures. Latencies in milliseconds. */
export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  ok: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  /** CPU the server process used per successful request, all threads, in microseconds (NaN: unknown). */
  serverCpuMicros: number;
  /** CPU the server's PostgreSQL backends used per successful request, in microseconds (NaN: unknown). */
  databaseCpuMicros: number;
  /** CPU the load generator (this process) used per successful request, in microseconds. */
  loadCpuMicros: number;
}

export interface LoadOptions {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** A different Authorization header per request, taken in turn (spreads load over principals). */
  authorizations?: string[];
  connections: number;
  seconds: number;
  /** The server's process ID, to measure its CPU time. */
  serverPid?: number;
  /** The PostgreSQL backends serving it now (their CPU counts too: they share the machine). */
  databasePids?: () => Promise<number[]>;
}

/** Runs autocannon against `url`: the same load generator and settings for every target. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { authorizations } = options;
  const serverCpuBefore = cpuSeconds(options.serverPid);
  const databaseCpuBefore = new Map<number, number>();
  for (const pid of (await options.databasePids?.()) ?? []) databaseCpuBefore.set(pid, cpuSeconds(pid));
  const loadCpuBefore = process.cpuUsage();
  const result = await autocannon({
    url: options.url,
    method: options.method ?? 'GET',
    connections: options.connections,
    duration: options.seconds,
    headers: options.headers ?? {},
    ...(options.body !== undefined ? { body: options.body } : {}),
    // One prepared request per principal, each connection cycling through them. (A `setupRequest`
    // callback would make autocannon rebuild every request, a load-generator cost on the shared cores
    // that a single-request target such as oidc-provider does not pay.)
    ...(authorizations && authorizations.length > 0
      ? {
          requests: authorizations.map((authorization) => ({
            headers: { ...options.headers, authorization },
          })),
        }
      : {}),
  });
  const loadCpu = process.cpuUsage(loadCpuBefore);
  const ok = result['2xx'];
  return {
    serverCpuMicros: ((cpuSeconds(options.serverPid) - serverCpuBefore) * 1e6) / ok,
    databaseCpuMicros: options.databasePids
      ? ((await databaseCpuSince(databaseCpuBefore, await options.databasePids())) * 1e6) / ok
      : Number.NaN,
    loadCpuMicros: (loadCpu.user + loadCpu.system) / ok,
    requestsPerSecond: result['2xx'] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: result['2xx'],
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
  };
}

/** CPU seconds used since `before` by the backends alive now; one that connected meanwhile counts whole. */
async function databaseCpuSince(before: Map<number, number>, pids: number[]): Promise<number> {
  let sum = 0;
  for (const pid of pids) {
    const now = cpuSeconds(pid);
    if (!Number.isNaN(now)) sum += now - (before.get(pid) ?? 0);
  }
  return sum;
}

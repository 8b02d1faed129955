import { Agent, request } from 'node:http';

/** One request's outcome: its latency from the moment it was due, and whether it succeeded. */
export interface Outcome {
  /** When it was due (ms since the load started), so it is counted in the minute it was meant for. */
  dueMs: number;
  latencyMs: number;
  /** Undefined when it got a 2xx; else the status or the network error. */
  error?: string;
}

export interface OpenLoopOptions {
  url: string;
  body: string;
  /** One Authorization header per principal, taken in turn. */
  authorizations: string[];
  ratePerSecond: number;
  durationMs: number;
  /** A request still unanswered after this counts as an error. */
  timeoutMs: number;
  onOutcome(outcome: Outcome): void;
}

/**
 * Sends requests at a fixed rate whatever the answers do (open loop): each one is due at
 * start + i / rate, and its latency is measured from then, not from when it was sent. A closed loop
 * (send the next when one returns) would send fewer requests while the server stalls and hide the stall
 * from the latencies (coordinated omission).
 */
export async function runOpenLoop(options: OpenLoopOptions): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const target = new URL(options.url);
  const intervalMs = 1000 / options.ratePerSecond;
  const started = performance.now();
  const inFlight = new Set<Promise<void>>();
  let index = 0;
  try {
    for (;;) {
      const nowMs = performance.now() - started;
      // Everything due by now goes out now, also when the timer woke late.
      while (index * intervalMs <= nowMs && index * intervalMs < options.durationMs) {
        const dueMs = index * intervalMs;
        const authorization = options.authorizations[index % options.authorizations.length]!;
        const sent = send(agent, target, options, authorization).then((error) => {
          options.onOutcome({
            dueMs,
            latencyMs: performance.now() - started - dueMs,
            ...(error ? { error } : {}),
          });
        });
        inFlight.add(sent);
        void sent.finally(() => inFlight.delete(sent));
        index++;
      }
      if (index * intervalMs >= options.durationMs) break;
      const waitMs = index * intervalMs - (performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, waitMs)));
    }
    await Promise.all(inFlight);
  } finally {
    agent.destroy();
  }
}

/** Answers undefined on a 2xx, else what went wrong (never the credential). */
function send(
  agent: Agent,
  target: URL,
  options: OpenLoopOptions,
  authorization: string,
): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = request(
      target,
      {
        agent,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(options.body),
          authorization,
        },
        timeout: options.timeoutMs,
      },
      (res) => {
        res.resume();
        res.once('end', () => {
          const status = res.statusCode ?? 0;
          resolve(status >= 200 && status < 300 ? undefined : `HTTP ${status}`);
        });
        res.once('error', (error) => resolve(error.message));
      },
    );
    req.once('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    req.once('error', (error) => resolve(error.message));
    req.end(options.body);
  });
}

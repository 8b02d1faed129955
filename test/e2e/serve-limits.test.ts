import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { threadPoolSizeFor } from '../../src/cli/thread-pool-size.ts';
import { generateSecret } from '../../src/core/credentials.ts';
import { type EnvidProcess, removeDir, startEnvid } from '../support/envid-process.ts';
import { openRawConnection, settlesWithin } from '../support/raw-connection.ts';
import { whoAmI } from '../support/who-am-i.ts';

// Two real server processes for the file, started in beforeAll.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

// Two servers alike but for their thread pool size, both with tight limits: the thread pool test compares
// them, the limits test uses the first (two starts for three tests' worth of checks).
describe('envid serve limits and thread pool', () => {
  const threadsOf = (pid: number) => readdirSync(`/proc/${pid}/task`).length;
  const cores = Math.max(2, availableParallelism());
  const limits = ['--headers-timeout', '0.3', '--request-timeout', '0.6', '--auth-failure-limit', '1/60s'];
  const servers: EnvidProcess[] = [];
  let byDefault: EnvidProcess;
  let explicit: EnvidProcess;

  beforeAll(async () => {
    // Started together; one that starts is stopped by afterAll even when the other fails.
    const started = await Promise.allSettled([
      startEnvid({ args: limits }),
      startEnvid({ args: limits, env: { UV_THREADPOOL_SIZE: String(cores + 3) } }),
    ]);
    for (const result of started) if (result.status === 'fulfilled') servers.push(result.value);
    for (const result of started) if (result.status === 'rejected') throw result.reason;
    [byDefault, explicit] = servers as [EnvidProcess, EnvidProcess];
  });

  afterAll(async () => {
    for (const server of servers) {
      expect(await server.stop()).toBe(0);
      removeDir(server.dataDir);
    }
  });

  it('runs one libuv thread per core (at least 2) unless UV_THREADPOOL_SIZE says otherwise', () => {
    // Their thread counts differ by exactly the pool sizes' (counted before the limits test's requests).
    expect(threadsOf(explicit.child.pid!) - threadsOf(byDefault.child.pid!)).toBe(3);
  });

  it('cuts off slow clients and refuses an address after its failed authentications, as configured', async () => {
    const silent = await openRawConnection(Number(new URL(byDefault.url).port));
    expect(await settlesWithin(silent.closed, 5_000)).toBe(true);
    expect((await whoAmI(byDefault.url, generateSecret('service_account'))).status).toBe(401);
    const refused = await whoAmI(byDefault.url, byDefault.adminToken);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await refused.json()) as { message: string }).message).toContain('at most 1 in 60 s');
  });

  it('decides the size from the cores and leaves an explicit one alone', () => {
    expect(threadPoolSizeFor({}, 2)).toBe('2');
    expect(threadPoolSizeFor({}, 1)).toBe('2');
    expect(threadPoolSizeFor({}, 16)).toBe('16');
    expect(threadPoolSizeFor({ UV_THREADPOOL_SIZE: '8' }, 2)).toBeUndefined();
  });
});

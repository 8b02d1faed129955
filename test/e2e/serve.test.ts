import { readdirSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { threadPoolSizeFor } from '../../src/cli/thread-pool-size.ts';
import { generateSecret } from '../../src/core/credentials.ts';
import { createTestDatabase, engines } from '../support/databases.ts';
import { type EnvidProcess, removeDir, startEnvid } from '../support/envid-process.ts';
import { openRawConnection, settlesWithin } from '../support/raw-connection.ts';

// Each test starts real server processes; PGlite's first start alone takes seconds.
vi.setConfig({ testTimeout: 180_000 });

const whoAmI = (url: string, token: string) =>
  fetch(`${url}/api/gitpod.v1.IdentityService/GetAuthenticatedIdentity`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: '{}',
  });

describe.each(engines)('envid serve on %s', (engine) => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  const databaseUrl = async () => {
    if (engine === 'pglite') return undefined;
    const database = await createTestDatabase();
    cleanups.push(database.drop);
    return database.url;
  };

  it('serves health and the API, keeps its data across a restart, and exits 0 on SIGTERM', async () => {
    const url = await databaseUrl();
    // The one start that creates its embedded database from nothing, as on a user's first run.
    const first = await startEnvid({ databaseUrl: url, freshDatabase: true });
    cleanups.push(() => removeDir(first.dataDir));
    expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${first.url}/readyz`)).json()).toEqual({
      status: 'ok',
      changeNotifications: 'connected',
    });
    expect((await whoAmI(first.url, first.adminToken)).status).toBe(200);
    expect(await first.stop('SIGTERM')).toBe(0);

    // Restart on the same data: the bootstrap credential stays; a different ENVID_BOOTSTRAP_TOKEN changes nothing.
    const second = await startEnvid({
      databaseUrl: url,
      dataDir: first.dataDir,
      adminToken: `${first.adminToken}x`,
    });
    try {
      expect((await whoAmI(second.url, first.adminToken)).status).toBe(200);
      expect((await whoAmI(second.url, second.adminToken)).status).toBe(401);
    } finally {
      expect(await second.stop()).toBe(0);
    }
  });

  it('finishes an in-flight request after SIGTERM, then exits 0', async () => {
    const server = await startEnvid({ databaseUrl: await databaseUrl() });
    cleanups.push(() => removeDir(server.dataDir));
    const body = JSON.stringify({ padding: 'x'.repeat(64 * 1024) });
    const { hostname, port } = new URL(server.url);
    const answer = new Promise<number>((resolve, reject) => {
      const req = request(
        {
          hostname,
          port,
          method: 'POST',
          path: '/api/gitpod.v1.IdentityService/GetAuthenticatedIdentity',
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            authorization: `Bearer ${server.adminToken}`,
          },
        },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      // Half the body now: the request is in flight when SIGTERM arrives; the rest after.
      req.write(body.slice(0, body.length / 2));
      setTimeout(() => {
        server.child.kill('SIGTERM');
        setTimeout(() => req.end(body.slice(body.length / 2)), 300);
      }, 200);
    });
    expect(await answer).toBe(200);
    expect(await server.stop()).toBe(0);
  });
});

describe('the bootstrap token', () => {
  it('is generated on a fresh installation, printed once and written with mode 0600', async () => {
    const server = await startEnvid({ env: { ENVID_BOOTSTRAP_TOKEN: '' } });
    try {
      const file = join(server.dataDir, 'bootstrap-token');
      const token = readFileSync(file, 'utf8').trim();
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(token).toMatch(/^envid_adm_[A-Za-z0-9_-]{43}$/);
      expect(server.output().split(token).length - 1).toBe(1);
      expect((await whoAmI(server.url, token)).status).toBe(200);
    } finally {
      await server.stop();
      removeDir(server.dataDir);
    }
  });

  it('refuses to start with a malformed ENVID_BOOTSTRAP_TOKEN, naming the variable', async () => {
    await expect(startEnvid({ adminToken: 'short' })).rejects.toThrow(/ENVID_BOOTSTRAP_TOKEN must be/);
  });

  it('refuses a bad flag with a message naming the flag and its variable', async () => {
    // Refused before any database is opened: an empty data directory will do (no template copy).
    const badFlag = (args: string[]) => startEnvid({ args, freshDatabase: true });
    await expect(badFlag(['--port', 'eighty'])).rejects.toThrow(/--port \(ENVID_PORT\): must be a number/);
    await expect(badFlag(['--trust-proxy', 'proxy.example.com'])).rejects.toThrow(
      /--trust-proxy \(ENVID_TRUST_PROXY\): "proxy.example.com" is not an IP address/,
    );
    await expect(badFlag(['--token-rate-limit', '100'])).rejects.toThrow(
      /--token-rate-limit \(ENVID_TOKEN_RATE_LIMIT\): "100" is not <count>\/<seconds>s/,
    );
  });
});

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

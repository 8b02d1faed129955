import { request } from 'node:http';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, engines } from '../support/databases.ts';
import { removeDir, startEnvid } from '../support/envid-process.ts';
import { waitFor } from '../support/wait-for.ts';
import { whoAmI } from '../support/who-am-i.ts';

// Each test starts real server processes; the one start on an empty data directory takes seconds.
vi.setConfig({ testTimeout: 180_000 });

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
    // At debug the server logs each request once its headers are in: the moment it is in flight.
    const server = await startEnvid({ databaseUrl: await databaseUrl(), args: ['--log-level', 'debug'] });
    cleanups.push(() => removeDir(server.dataDir));
    const body = JSON.stringify({ padding: 'x'.repeat(64 * 1024) });
    const { hostname, port } = new URL(server.url);
    const logged = (pattern: RegExp) => (server.output().match(pattern) ?? []).length;
    const requestsBefore = logged(/incoming request/g);
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
      // Half the body now; SIGTERM once the server has the request; the rest once it is stopping.
      req.write(body.slice(0, body.length / 2));
      waitFor('the request to reach the server', () => logged(/incoming request/g) > requestsBefore)
        .then(() => {
          server.child.kill('SIGTERM');
          return waitFor('the server to start stopping', () => logged(/finishing in-flight requests/g) > 0);
        })
        .then(() => req.end(body.slice(body.length / 2)), reject);
    });
    expect(await answer).toBe(200);
    expect(await server.stop()).toBe(0);
  });
});

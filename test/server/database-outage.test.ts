import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.ts';
import { generateSecret } from '../../src/core/credentials.ts';
import { ensureBootstrapCredential } from '../../src/server/bootstrap.ts';
import { buildServer } from '../../src/server/build-server.ts';
import { DatabaseUnavailableError } from '../../src/store/errors.ts';
import { openStore } from '../../src/store/open-store.ts';
import { classifyDatabaseError } from '../../src/store/sql/database-failures.ts';
import type { Store } from '../../src/store/store.ts';
import { testServerOptions } from '../support/api-server.ts';
import { canRunOwnPostgres, type OwnPostgres, startOwnPostgres } from '../support/own-postgres.ts';
import { seedOrganizationWithPrincipals } from '../support/principals.ts';
import { titled } from '../support/skip-reason.ts';

/**
 * One server on a PostgreSQL of the test's own, stopped and frozen under it (the reliability suite
 * does the same with real replicas, under load, several times). Before the fix, a stop ended the
 * process through an unhandled 'error' event and every call answered 500; a frozen database held
 * requests and /readyz for as long as it stayed frozen.
 */
describe.runIf(canRunOwnPostgres)(
  titled(
    'a server whose PostgreSQL goes away',
    canRunOwnPostgres
      ? undefined
      : 'no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)',
  ),
  () => {
    let database: OwnPostgres;
    let store: Store;
    let app: FastifyInstance;
    let token: string;

    beforeAll(async () => {
      database = await startOwnPostgres();
      store = await openStore({ databaseUrl: database.url, connectTimeoutMs: 500, queryTimeoutMs: 500 });
      const clock = new ManualClock(new Date('2026-11-01T00:00:00Z'));
      await ensureBootstrapCredential(store, clock, { token: generateSecret('installation_admin') });
      app = buildServer({ store, clock, ...testServerOptions() });
      await app.ready();
      token = (await seedOrganizationWithPrincipals(store, clock)).environment.token;
    });

    afterAll(async () => {
      await app?.close();
      await store?.close();
      database?.destroy();
    });

    const post = (method: string, body: unknown) =>
      app.inject({
        method: 'POST',
        url: `/api/gitpod.v1.IdentityService/${method}`,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        payload: JSON.stringify(body),
      });
    const idToken = () => post('GetIDToken', { audience: ['vault'] });
    const whoAmI = () => post('GetAuthenticatedIdentity', {});

    const expectUnavailable = (response: Awaited<ReturnType<typeof idToken>>) => {
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe('2');
      expect(response.json()).toEqual({
        code: 'unavailable',
        message: 'the database is unavailable; retry in 2 s',
      });
    };

    it('answers 503 with Retry-After while it is down, serves cached credentials, and recovers', async () => {
      expect((await idToken()).statusCode).toBe(200);
      // Requests in flight while the server dies: none may end the process (an unhandled 'error').
      const inFlight = Array.from({ length: 20 }, () => idToken());
      database.stopImmediately();
      for (const response of await Promise.all(inFlight)) {
        expect([200, 503]).toContain(response.statusCode);
      }
      expectUnavailable(await idToken());
      expect((await whoAmI()).statusCode).toBe(200);
      expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(503);
      database.start();
      let status = 0;
      for (let attempt = 0; attempt < 100 && status !== 200; attempt++) {
        status = (await idToken()).statusCode;
        if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(status).toBe(200);
      expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    });

    it('answers 503 within its deadlines while the database is frozen', async () => {
      expect((await idToken()).statusCode).toBe(200);
      database.freeze();
      try {
        const [token, ready] = await Promise.all([idToken(), app.inject({ method: 'GET', url: '/readyz' })]);
        expectUnavailable(token);
        expect(ready.statusCode).toBe(503);
        expect(ready.json()).toMatchObject({ status: 'unavailable' });
      } finally {
        database.thaw();
      }
    });
  },
);

describe('database failures', () => {
  it('are told apart from refused queries by code and by node-postgres message', () => {
    const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });
    for (const [error, reason] of [
      [withCode('ECONNREFUSED'), 'connection refused'],
      [withCode('ECONNRESET'), 'connection reset'],
      [withCode('57P01'), 'the server is shutting down'],
      [withCode('08006'), 'connection failure'],
      [withCode('57014'), 'the query took longer than its deadline'],
      [new Error('Connection terminated unexpectedly'), 'connection lost'],
      [new Error('timeout exceeded when trying to connect'), 'no connection within the connect deadline'],
      [new Error('Query read timeout'), 'no answer within the query deadline'],
    ] as const) {
      const classified = classifyDatabaseError(error);
      expect(classified).toBeInstanceOf(DatabaseUnavailableError);
      expect((classified as DatabaseUnavailableError).reason).toBe(reason);
    }
    for (const error of [withCode('23505'), withCode('22P02'), new Error('syntax error'), 'text']) {
      expect(classifyDatabaseError(error)).toBe(error);
    }
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { ManualClock } from '../../src/core/clock.ts';
import { generateSecret } from '../../src/core/credentials.ts';
import { type KeyMaterial, keyMaterialFrom } from '../../src/core/keys/generate-key.ts';
import { generateMasterKey } from '../../src/core/keys/master-key.ts';
import { ensureBootstrapCredential } from '../../src/server/bootstrap.ts';
import { buildServer, type ServerOptions } from '../../src/server/build-server.ts';
import type { Store } from '../../src/store/store.ts';
import { type Engine, openTestStore } from './databases.ts';

export const testIssuer = 'https://envid.test.example';

/** Fixed signing keys (test/fixtures), handed out in turn: no slow RSA generation in tests. */
export function fixtureKeys(): () => Promise<KeyMaterial> {
  const pems = [1, 2].map((n) =>
    readFileSync(join(import.meta.dirname, `../fixtures/signing-key-${n}.pem`), 'utf8'),
  );
  let next = 0;
  return async () => {
    const pem = pems[next++];
    // Handing a fixture out twice would give two keys one kid: tests that rotate more generate real keys.
    if (!pem)
      throw new Error('both fixture keys are used; pass generateKey: undefined to generate real ones');
    return keyMaterialFrom(pem);
  };
}

/** What buildServer needs besides the store and clock, for tests: a fixed issuer, a fresh master key, fixture keys. */
export function testServerOptions(): Pick<ServerOptions, 'issuer' | 'masterKey' | 'generateKey'> {
  return { issuer: testIssuer, masterKey: generateMasterKey().key, generateKey: fixtureKeys() };
}

export interface ApiTestServer {
  app: FastifyInstance;
  store: Store;
  clock: ManualClock;
  /** The installation admin's secret. */
  adminToken: string;
  /** POSTs a Connect call through inject(); answers status and parsed JSON body. */
  call(path: string, body: unknown, token?: string): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/** A server on a fresh database of `engine`, for route tests with `inject()` (no socket). */
export async function startApiTestServer(
  engine: Engine = 'pglite',
  options: Partial<ServerOptions> = {},
): Promise<ApiTestServer> {
  const { store, dispose } = await openTestStore(engine);
  const clock = new ManualClock(new Date('2026-11-01T00:00:00Z'));
  const adminToken = generateSecret('installation_admin');
  await ensureBootstrapCredential(store, clock, { token: adminToken });
  const app = buildServer({
    store,
    clock,
    ...testServerOptions(),
    ...options,
  });
  await app.ready();
  return {
    app,
    store,
    clock,
    adminToken,
    async call(path, body, token) {
      const response = await app.inject({
        method: 'POST',
        url: `/api/gitpod.v1.${path}`,
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        payload: typeof body === 'string' ? body : JSON.stringify(body),
      });
      return { status: response.statusCode, body: response.body ? JSON.parse(response.body) : undefined };
    },
    async close() {
      await app.close();
      await dispose();
    },
  };
}

export interface SharedTestDatabase {
  store: Store;
  clock: ManualClock;
  /** The installation admin's secret. */
  adminToken: string;
  /** A new server on the database (ready, not listening), closed by `close()` at the latest. */
  startServer(options?: Partial<ServerOptions>): Promise<FastifyInstance>;
  close(): Promise<void>;
}

/**
 * One database of `engine` for a whole test file (a fresh PGlite costs seconds), on which each test
 * starts servers of its own, with their own in-memory state (caches, counters) and settings.
 */
export async function openSharedTestDatabase(engine: Engine = 'pglite'): Promise<SharedTestDatabase> {
  const { store, dispose } = await openTestStore(engine);
  const clock = new ManualClock(new Date('2026-11-01T00:00:00Z'));
  const adminToken = generateSecret('installation_admin');
  await ensureBootstrapCredential(store, clock, { token: adminToken });
  // Shared by every server: they read the keys the first one made.
  const shared = testServerOptions();
  const servers = new Set<FastifyInstance>();
  return {
    store,
    clock,
    adminToken,
    async startServer(options = {}) {
      const app = buildServer({ store, clock, ...shared, ...options });
      servers.add(app);
      app.addHook('onClose', async () => {
        servers.delete(app);
      });
      await app.ready();
      return app;
    },
    async close() {
      for (const app of servers) await app.close();
      await dispose();
    },
  };
}

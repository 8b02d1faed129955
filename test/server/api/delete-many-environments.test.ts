import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.ts';
import { newId } from '../../../src/core/ids.ts';
import {
  environmentDeleteBatchSize,
  markEnvironmentsDeleted,
} from '../../../src/services/environment-lifecycle.ts';
import type { Store } from '../../../src/store/store.ts';
import { type ApiTestServer, startApiTestServer } from '../../support/api-server.ts';
import { engines, openTestStore } from '../../support/databases.ts';
import { expectApiError } from '../../support/org-fixtures.ts';
import { recordStoreCalls } from '../../support/recording-store.ts';
import { seedOrganization } from '../../support/seed-organization.ts';

/** An organization of a few principals whose big project has `environments` environments with tokens. */
const shape = (environments: number) => ({
  members: 3,
  formerMembers: 1,
  serviceAccounts: 2,
  runners: 2,
  projects: 1,
  environments: 6,
  bigProjectEnvironments: environments,
});

describe.each(engines)('DeleteProject with thousands of environments on %s', (engine) => {
  let server: ApiTestServer;
  beforeAll(async () => {
    server = await startApiTestServer(engine);
  });
  afterAll(() => server.close());

  const identity = (token: string) => server.call('IdentityService/GetAuthenticatedIdentity', {}, token);

  it('is refused without force, counting them; with force marks every one deleted and refuses its token', async () => {
    // More than two batches, so the cascade must go round.
    const count = 2 * environmentDeleteBatchSize + 500;
    const seeded = await seedOrganization(server.store, shape(count), server.clock.now());
    const projectId = seeded.bigProjectId;
    for (const secret of seeded.bigProjectTokens.secrets) expect((await identity(secret)).status).toBe(200);

    expectApiError(
      await server.call('ProjectService/DeleteProject', { projectId }, server.adminToken),
      400,
      'failed_precondition',
      `project ${projectId} has ${count} environment(s) that are not deleted; delete them first, or pass "force": true`,
    );
    expect(await server.store.environments.count({ projectId, status: 'deleted' })).toBe(0);

    server.clock.advance(60_000);
    const deleted = await server.call(
      'ProjectService/DeleteProject',
      { projectId, force: true },
      server.adminToken,
    );
    expect(deleted).toEqual({ status: 200, body: {} });
    expect(await server.store.projects.find(projectId)).toBeUndefined();
    const { organizationId } = seeded;
    // The others (6 outside the big project, half of them stopped) are untouched.
    expect(await server.store.environments.count({ organizationId, status: 'deleted' })).toBe(count);
    expect(await server.store.environments.count({ organizationId, status: ['running', 'stopped'] })).toBe(6);
    const tokens = await server.store.credentials.select({ organizationId, principalKind: 'environment' }, [
      'revokedAt',
    ]);
    expect(tokens).toHaveLength(count);
    expect(new Set(tokens.map((t) => t.revokedAt?.toISOString()))).toEqual(
      new Set([server.clock.now().toISOString()]),
    );
    for (const secret of seeded.bigProjectTokens.secrets) {
      expectApiError(await identity(secret), 401, 'unauthenticated');
    }
  });
});

describe.each(engines)('markEnvironmentsDeleted on %s', (engine) => {
  let store: Store;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    ({ store, dispose } = await openTestStore(engine));
  });
  afterAll(() => dispose());

  it('works in batches of the given size and revokes each environment’s live tokens once', async () => {
    const clock = new ManualClock(new Date('2026-06-01T00:00:00Z'));
    const seeded = await seedOrganization(store, shape(25), clock.now());
    const projectId = seeded.bigProjectId;
    const environments = await store.environments.select({ projectId }, ['status']);
    // A second token for one environment, revoked earlier: revoking again keeps that time.
    const earlier = new Date('2026-05-01T00:00:00Z');
    const old = {
      id: newId(),
      principalKind: 'environment' as const,
      principalId: environments[0]!.id,
      organizationId: seeded.organizationId,
      secretHash: 'f'.repeat(64),
      description: 'old',
      createdAt: earlier,
      revokedAt: earlier,
    };
    await store.credentials.insert(old);

    clock.advance(1000);
    const recorded = recordStoreCalls(store);
    const marked = await recorded.store.transaction((tx) =>
      markEnvironmentsDeleted(tx, clock, { projectId }, { batchSize: 10 }),
    );
    expect(marked).toBe(25);
    const batches = recorded.calls.filter((call) => call.startsWith('environments.updateMany('));
    expect(batches).toHaveLength(3);
    expect(await store.environments.count({ projectId, status: 'deleted' })).toBe(25);
    expect(await store.environments.count({ organizationId: seeded.organizationId, status: 'deleted' })).toBe(
      25,
    );
    const tokens = await store.credentials.select({ principalId: environments.map((e) => e.id) }, [
      'revokedAt',
    ]);
    expect(tokens).toHaveLength(26);
    expect(tokens.filter((t) => t.revokedAt?.getTime() === clock.now().getTime())).toHaveLength(25);
    expect((await store.credentials.get(old.id)).revokedAt).toEqual(earlier);
    // Nothing left to do: a second run marks nothing.
    expect(await markEnvironmentsDeleted(store, clock, { projectId }, { batchSize: 10 })).toBe(0);
  });
});

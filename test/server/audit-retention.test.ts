import { afterEach, describe, expect, it } from 'vitest';
import { newTimeOrderedId } from '../../src/core/ids.ts';
import { buildServer, type ServerOptions } from '../../src/server/build-server.ts';
import { expectOk } from '../support/api-expect.ts';
import { type ApiTestServer, startApiTestServer, testServerOptions } from '../support/api-server.ts';
import { engines } from '../support/databases.ts';

/** A second server on the first one's database (a restart), asked ListAuditEvents by the installation admin. */
async function restarted(
  first: ApiTestServer,
  shared: ReturnType<typeof testServerOptions>,
  options: Pick<ServerOptions, 'auditRetentionDays'>,
) {
  await first.app.close();
  const app = buildServer({ store: first.store, clock: first.clock, ...shared, ...options });
  await app.ready();
  const response = await app.inject({
    method: 'POST',
    url: '/api/gitpod.v1.AuditService/ListAuditEvents',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${first.adminToken}` },
    payload: '{"pageSize":100}',
  });
  await app.close();
  return expectOk({ status: response.statusCode, body: JSON.parse(response.body) });
}

const old = (at: string) => ({
  id: newTimeOrderedId(new Date(at)),
  kind: 'key.created' as const,
  details: { at },
  createdAt: new Date(at),
});

describe.each(engines)('audit retention through envid serve on %s', (engine) => {
  let server: ApiTestServer | undefined;
  afterEach(() => server?.close());

  it('drops the months past the retention at start, records it, and keeps the rest', async () => {
    // The test server's clock reads 2026-11-01; the months before are written first, then a server
    // with a 31-day retention starts on the same database.
    const shared = testServerOptions(); // one master key for both starts, as a restart has
    server = await startApiTestServer(engine, shared);
    const september = old('2026-09-10T00:00:00.000Z');
    const october = old('2026-10-10T00:00:00.000Z');
    await server.store.auditPartitions.ensure(new Date('2026-09-01T00:00:00.000Z'), 1);
    await server.store.auditEvents.insertMany([september, october]);

    const listed = await restarted(server, shared, { auditRetentionDays: 31 });
    const ids = listed.events.map((entry: { id: string }) => entry.id);
    // September ended on 2026-10-01, more than 31 days before 2026-11-01; October ended 2026-11-01.
    expect(ids).not.toContain(september.id);
    expect(ids).toContain(october.id);
    const applied = listed.events.filter(
      (entry: { kind: string }) => entry.kind === 'audit.retention_applied',
    );
    expect(applied).toHaveLength(1);
    expect(applied[0].details).toEqual({
      from: '2026-09-01T00:00:00.000Z',
      before: '2026-10-01T00:00:00.000Z',
      events: 1,
      retentionDays: 31,
    });
    // The coming months exist, so nothing lands in the default partition.
    const names = (await server.store.auditPartitions.list()).map((partition) => partition.name);
    expect(names).toEqual(
      expect.arrayContaining(['audit_events_p2026_11', 'audit_events_p2026_12', 'audit_events_p2027_01']),
    );
  });

  it('without a retention nothing is dropped', async () => {
    const shared = testServerOptions(); // one master key for both starts, as a restart has
    server = await startApiTestServer(engine, shared);
    const ancient = old('2001-01-01T00:00:00.000Z');
    await server.store.auditEvents.insert(ancient);
    await server.store.auditPartitions.ensure(new Date('2001-01-01T00:00:00.000Z'), 0);
    const listed = await restarted(server, shared, {});
    expect(listed.events.map((entry: { id: string }) => entry.id)).toContain(ancient.id);
  });
});

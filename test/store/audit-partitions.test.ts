import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTimeOrderedId } from '../../src/core/ids.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { AuditEvent } from '../../src/store/records.ts';
import { migrate } from '../../src/store/sql/migrate.ts';
import { migrations } from '../../src/store/sql/migrations/index.ts';
import type { Store } from '../../src/store/store.ts';
import { createTestDatabase, engines, openTestStore } from '../support/databases.ts';

const event = (at: string, organizationId?: string): AuditEvent => {
  const createdAt = new Date(at);
  return {
    id: newTimeOrderedId(createdAt),
    kind: 'key.created',
    ...(organizationId ? { organizationId } : {}),
    details: { at },
    createdAt,
  };
};

/** Which partition holds each event, by ID. */
async function homes(store: Store): Promise<Record<string, string>> {
  const db = (store as unknown as { db: Parameters<typeof migrate>[0] }).db;
  const rows = await sql<{ id: string; home: string }>`
    select id::text as id, tableoid::regclass::text as home from audit_events`.execute(db);
  return Object.fromEntries(rows.rows.map((row) => [row.id, row.home]));
}

const names = async (store: Store) => (await store.auditPartitions.list()).map((partition) => partition.name);

describe.each(engines)('the audit log by month on %s', (engine) => {
  let store: Store;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    ({ store, dispose } = await openTestStore(engine));
  });
  afterAll(() => dispose());

  it('a month without a partition lands in the default one, and moves when its month is created', async () => {
    const early = event('2001-03-15T10:00:00.000Z');
    const later = event('2001-04-01T00:00:00.000Z');
    await store.auditEvents.insertMany([early, later]);
    expect(await homes(store)).toMatchObject({
      [early.id]: 'audit_events_default',
      [later.id]: 'audit_events_default',
    });

    const created = await store.auditPartitions.ensure(new Date('2001-03-31T23:59:59.999Z'), 1);
    expect(created.map((partition) => partition.name)).toEqual([
      'audit_events_p2001_03',
      'audit_events_p2001_04',
    ]);
    expect(created[0]).toMatchObject({
      from: new Date('2001-03-01T00:00:00.000Z'),
      before: new Date('2001-04-01T00:00:00.000Z'),
    });
    expect(await homes(store)).toMatchObject({
      [early.id]: 'audit_events_p2001_03',
      [later.id]: 'audit_events_p2001_04',
    });
    // Nothing to do the second time.
    expect(await store.auditPartitions.ensure(new Date('2001-03-02T00:00:00.000Z'), 1)).toEqual([]);
    expect(await store.auditEvents.get(early.id)).toEqual(early);
  });

  it('lists and filters across partitions in time order, with page tokens', async () => {
    const organizationId = '6b3f1c2e-0000-4000-8000-000000000001';
    const spread = ['2001-03-20T00:00:00.000Z', '2001-04-02T00:00:00.000Z', '2001-05-03T00:00:00.000Z'].map(
      (at) => event(at, organizationId),
    );
    await store.auditEvents.insertMany(spread);
    const first = await store.auditEvents.list({ organizationId }, { pageSize: 2 });
    const second = await store.auditEvents.list({ organizationId }, { pageSize: 2, token: first.nextToken! });
    expect([...first.items, ...second.items]).toEqual(spread);
    const april = await store.auditEvents.list(
      { organizationId },
      {},
      {
        from: new Date('2001-04-01T00:00:00.000Z'),
        before: new Date('2001-05-01T00:00:00.000Z'),
      },
    );
    expect(april.items).toEqual([spread[1]]);
  });

  it('retention drops whole months that ended by the cutoff, and old rows of the default partition', async () => {
    await store.auditPartitions.ensure(new Date('2001-05-01T00:00:00.000Z'), 0);
    const stray = event('2000-12-31T23:00:00.000Z');
    await store.auditEvents.insert(stray);
    const before = await store.auditEvents.count({});
    // 2001-04 ends 2001-05-01: a cutoff one millisecond earlier keeps it.
    const dropped = await store.auditPartitions.dropEndingBy(new Date('2001-04-30T23:59:59.999Z'));
    expect(dropped.map(({ name, rows }) => ({ name, rows }))).toEqual([
      { name: 'audit_events_p2001_03', rows: 2 },
    ]);
    expect(await names(store)).toEqual(
      expect.arrayContaining(['audit_events_p2001_04', 'audit_events_p2001_05']),
    );
    expect(await names(store)).not.toContain('audit_events_p2001_03');
    expect(await store.auditEvents.find(stray.id)).toBeUndefined();
    expect(await store.auditEvents.count({})).toBe(before - 3);
  });
});

describe.each(engines)('migration 0011 on %s: existing audit rows keep their place', (engine) => {
  it('moves rows written before partitioning into partitions of their months, unchanged', async () => {
    const database = engine === 'postgres' ? await createTestDatabase() : undefined;
    // A store without migrations yet: open the engine, then migrate by hand up to 0010.
    const store = await openStoreBefore(database?.url);
    try {
      const db = (store as unknown as { db: Parameters<typeof migrate>[0] }).db;
      const old = [event('1999-01-05T00:00:00.000Z'), event('1999-02-06T00:00:00.000Z')];
      for (const row of old) {
        await sql`insert into audit_events (id, kind, details, created_at)
          values (${row.id}, ${row.kind}, ${JSON.stringify(row.details)}, ${row.createdAt})`.execute(db);
      }
      expect(await migrate(db)).toEqual(['0011-audit-partitions', ...laterThan('0011-audit-partitions')]);
      expect(await names(store)).toEqual(
        expect.arrayContaining(['audit_events_p1999_01', 'audit_events_p1999_02']),
      );
      expect(await homes(store)).toEqual({
        [old[0]!.id]: 'audit_events_p1999_01',
        [old[1]!.id]: 'audit_events_p1999_02',
      });
      expect((await store.auditEvents.list({})).items).toEqual(old);
    } finally {
      await store.close();
      await database?.drop();
    }
  });
});

function laterThan(id: string): string[] {
  return migrations.map((migration) => migration.id).filter((other) => other > id);
}

/** A store whose database has every migration before 0011 and none after. */
async function openStoreBefore(databaseUrl: string | undefined): Promise<Store> {
  const partial = await import('../../src/store/sql/migrations/index.ts');
  const keep = partial.migrations.filter((migration) => migration.id < '0011');
  const removed = partial.migrations.splice(0, partial.migrations.length, ...keep);
  try {
    return await openStore(databaseUrl ? { databaseUrl } : {});
  } finally {
    partial.migrations.splice(0, partial.migrations.length, ...removed);
  }
}

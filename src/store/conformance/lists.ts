import fc from 'fast-check';
import { expect, it } from 'vitest';
import { newId } from '../../core/ids.ts';
import { InvalidPageTokenError } from '../errors.ts';
import type { Runner } from '../records.ts';
import { defaultPageSize, maxPageSize, type Store } from '../store.ts';
import {
  newAuditEvent,
  newEnvironment,
  newMembership,
  newOrganization,
  newRunner,
  newServiceAccount,
  newSigningKey,
  newUser,
  nextTime,
} from './fixtures.ts';
import type { GetStore } from './get-store.ts';

/** Follows nextToken to the end, answering every page. */
async function walk(store: Store, organizationId: string, pageSize?: number): Promise<Runner[][]> {
  const pages: Runner[][] = [];
  let token: string | undefined;
  do {
    const page = await store.runners.list(
      { organizationId },
      { ...(pageSize !== undefined ? { pageSize } : {}), ...(token ? { token } : {}) },
    );
    pages.push(page.items);
    token = page.nextToken;
    if (pages.length > 200) throw new Error('the walk does not end');
  } while (token);
  return pages;
}

const byCreationThenId = (a: Runner, b: Runner): number =>
  a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** An organization with `count` runners, several of them created in the same millisecond. */
async function organizationWithRunners(store: Store, count: number): Promise<Runner[]> {
  const organization = await store.organizations.insert(newOrganization());
  const shared = nextTime();
  const runners = Array.from({ length: count }, (_, i) =>
    // Inserted newest first, and every third one shares a creation time: the order must come from the data.
    newRunner(organization.id, {
      name: `r${i}`,
      createdAt: i % 3 === 0 ? shared : new Date(shared.getTime() + count - i),
    }),
  );
  await store.transaction(async (tx) => {
    for (const runner of runners) await tx.runners.insert(runner);
  });
  return runners.sort(byCreationThenId);
}

export function testLists(store: GetStore): void {
  it('filters on one or more fields', async () => {
    const a = await store().organizations.insert(newOrganization());
    const b = await store().organizations.insert(newOrganization());
    const inA = [
      await store().serviceAccounts.insert(newServiceAccount(a.id, { name: 'one' })),
      await store().serviceAccounts.insert(newServiceAccount(a.id, { name: 'two' })),
    ];
    await store().serviceAccounts.insert(newServiceAccount(b.id, { name: 'one' }));
    expect((await store().serviceAccounts.list({ organizationId: a.id })).items).toStrictEqual(inA);
    expect((await store().serviceAccounts.list({ organizationId: a.id, name: 'two' })).items).toStrictEqual([
      inA[1],
    ]);
    expect((await store().serviceAccounts.list({ organizationId: newId() })).items).toStrictEqual([]);

    const runner = await store().runners.insert(newRunner(a.id));
    const running = await store().environments.insert(newEnvironment(a.id, runner.id, { status: 'running' }));
    await store().environments.insert(newEnvironment(a.id, runner.id, { status: 'stopped' }));
    const list = await store().environments.list({ organizationId: a.id, status: 'running' });
    expect(list).toStrictEqual({ items: [running] });
  });

  it('findOne matches every field of the filter', async () => {
    const organization = await store().organizations.insert(newOrganization());
    const user = await store().users.insert(newUser());
    const other = await store().users.insert(newUser());
    const membership = await store().memberships.insert(newMembership(organization.id, user.id));
    await store().memberships.insert(newMembership(organization.id, other.id));
    expect(
      await store().memberships.findOne({ organizationId: organization.id, userId: user.id }),
    ).toStrictEqual(membership);
    expect(await store().memberships.findOne({ organizationId: newId(), userId: user.id })).toBeUndefined();
    expect(await store().users.findOne({ email: user.email })).toStrictEqual(user);
    expect(await store().users.findOne({ email: user.email.toUpperCase() })).toBeUndefined();
  });

  it('a filter on a list of strings matches the records whose list holds the value, exactly', async () => {
    const acme = await store().organizations.insert(
      newOrganization({ inviteDomains: ['acme.example', 'eu.acme.example'] }),
    );
    const none = await store().organizations.insert(newOrganization());
    const find = (id: string, domain: string) => store().organizations.findOne({ id, inviteDomains: domain });
    expect(await find(acme.id, 'acme.example')).toStrictEqual(acme);
    expect(await find(acme.id, 'eu.acme.example')).toStrictEqual(acme);
    // Whole values only: no prefix, suffix, case folding or pattern.
    for (const domain of ['acme', 'example', 'ACME.example', 'x.acme.example', '%', '"acme.example"']) {
      expect(await find(acme.id, domain)).toBeUndefined();
    }
    expect(await find(none.id, 'acme.example')).toBeUndefined();
    expect(await find(newId(), 'acme.example')).toBeUndefined();
    expect(
      (await store().organizations.list({ id: acme.id, inviteDomains: 'acme.example' })).items,
    ).toStrictEqual([acme]);
  });

  it('orders by creation time, then ID', async () => {
    const runners = await organizationWithRunners(store(), 9);
    const list = await store().runners.list({ organizationId: runners[0]!.organizationId });
    expect(list).toStrictEqual({ items: runners });
  });

  for (const pageSize of [1, 2, 3, 4, 11, 12, 100]) {
    it(`following nextToken with page size ${pageSize} visits every record once, in order`, async () => {
      const runners = await organizationWithRunners(store(), 11);
      const pages = await walk(store(), runners[0]!.organizationId, pageSize);
      expect(pages.flat()).toStrictEqual(runners);
      expect(pages).toHaveLength(Math.max(1, Math.ceil(runners.length / pageSize)));
      for (const page of pages.slice(0, -1)) expect(page).toHaveLength(pageSize);
    });
  }

  it('any mix of creation times and page sizes: the walk visits every record once, in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        // Offsets from one instant: few distinct values, so many records share a creation time.
        fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 25 }),
        fc.integer({ min: 1, max: 12 }),
        async (offsets, pageSize) => {
          const organization = await store().organizations.insert(newOrganization());
          const base = nextTime().getTime();
          const runners = offsets.map((offset) =>
            newRunner(organization.id, { createdAt: new Date(base + offset) }),
          );
          await store().runners.insertMany(runners);
          const pages = await walk(store(), organization.id, pageSize);
          expect(pages.flat()).toStrictEqual([...runners].sort(byCreationThenId));
          for (const page of pages.slice(0, -1)) expect(page).toHaveLength(pageSize);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('pages signing keys, whose IDs are not UUIDs, by their tokens as well', async () => {
    const createdAt = nextTime();
    const mine = ['a.b', 'A-b', 'kid_1', 'zz', '0'].map((id) =>
      newSigningKey({ id: `${id}-${newId()}`, createdAt }),
    );
    await store().signingKeys.insertMany(mine);
    const seen = [];
    let token: string | undefined;
    do {
      const page = await store().signingKeys.list({}, { pageSize: 2, ...(token ? { token } : {}) });
      seen.push(...page.items);
      token = page.nextToken;
    } while (token);
    // Other tests' keys are in the shared store too: every key once, by creation time, ours among them.
    // (Text IDs within one instant follow the database's collation, so their order is not asserted.)
    const times = seen.map((k) => k.createdAt.getTime());
    expect(times).toStrictEqual([...times].sort((a, b) => a - b));
    expect(new Set(seen.map((k) => k.id)).size).toBe(seen.length);
    expect(seen.filter((k) => mine.some((m) => m.id === k.id))).toHaveLength(mine.length);
  });

  it('an empty list is one page without a token', async () => {
    expect(await store().runners.list({ organizationId: newId() }, { pageSize: 5 })).toStrictEqual({
      items: [],
    });
  });

  it(`pages hold ${defaultPageSize} records by default and at most ${maxPageSize}`, async () => {
    const runners = await organizationWithRunners(store(), maxPageSize + 1);
    const organizationId = runners[0]!.organizationId;
    const first = await store().runners.list({ organizationId });
    expect(first.items).toStrictEqual(runners.slice(0, defaultPageSize));
    expect(first.nextToken).toBeDefined();
    const large = await store().runners.list({ organizationId }, { pageSize: 1000 });
    expect(large.items).toStrictEqual(runners.slice(0, maxPageSize));
    expect((await store().runners.list({ organizationId }, { token: large.nextToken! })).items).toStrictEqual(
      runners.slice(maxPageSize),
    );
    expect((await store().runners.list({ organizationId }, { pageSize: 0 })).items).toHaveLength(1);
    expect((await store().runners.list({ organizationId }, { pageSize: 2.5 })).items).toHaveLength(
      defaultPageSize,
    );
    const pages = await walk(store(), organizationId);
    expect(pages.flat()).toStrictEqual(runners);
  });

  it('a walk goes on after the record its token points at is deleted', async () => {
    const runners = await organizationWithRunners(store(), 6);
    const organizationId = runners[0]!.organizationId;
    const first = await store().runners.list({ organizationId }, { pageSize: 3 });
    await store().runners.delete(runners[2]!.id);
    const rest = await store().runners.list({ organizationId }, { pageSize: 3, token: first.nextToken! });
    expect(rest).toStrictEqual({ items: runners.slice(3) });
  });

  it('a page token this store did not give out throws InvalidPageTokenError', async () => {
    const organizationId = newId();
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const garbage = [
      'garbage',
      '!!!',
      encode({}),
      encode([]),
      encode('2030-01-01T00:00:00.000Z'),
      encode(['not a date', newId()]),
      encode(['2030-01-01T00:00:00.000Z', 'not-a-uuid']),
      encode(['2030-01-01T00:00:00.000Z', 42]),
      encode([null, newId()]),
      // Dates that JavaScript holds and PostgreSQL does not (or the reverse), and ones not in the calendar.
      encode(['-271821-04-20T00:00:00.000Z', newId()]),
      encode(['+275760-09-13T00:00:00.000Z', newId()]),
      encode(['0000-01-01T00:00:00.000Z', newId()]),
      encode(['+010000-01-01T00:00:00.000Z', newId()]),
      encode(['2030-02-31T00:00:00.000Z', newId()]),
      encode(['2030-01-01T00:00:00Z', newId()]),
      encode(['2030-01-01T00:00:00.000+00:00', newId()]),
      encode(['2030-01-01T00:00:00.000Z', newId(), 'more']),
      encode(['2030-01-01T00:00:00.000Z', `${newId()}\u0000`]),
      `${encode(['2030-01-01T00:00:00.000Z', newId()])}==`,
      'A'.repeat(100_000),
    ];
    for (const token of garbage) {
      await expect(store().runners.list({ organizationId }, { token })).rejects.toBeInstanceOf(
        InvalidPageTokenError,
      );
    }
    for (const id of ['', 'kid\u0000', 'kid\ud800', 'k'.repeat(257)]) {
      const token = encode(['2030-01-01T00:00:00.000Z', id]);
      await expect(store().signingKeys.list({}, { token })).rejects.toBeInstanceOf(InvalidPageTokenError);
    }
  });

  it('a page token at the first or last time the store holds is taken', async () => {
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const organization = await store().organizations.insert(newOrganization());
    for (const time of ['0001-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z']) {
      const token = encode([time, newId()]);
      const page = await store().runners.list({ organizationId: organization.id }, { token });
      expect(page).toStrictEqual({ items: [] });
      await store().signingKeys.list({}, { token: encode([time, 'kid_-A9.~ ü']) });
    }
  });

  it('deleteWhere deletes the matching records and answers how many', async () => {
    const a = await store().organizations.insert(newOrganization());
    const b = await store().organizations.insert(newOrganization());
    for (let i = 0; i < 3; i++) await store().serviceAccounts.insert(newServiceAccount(a.id));
    const keep = [
      await store().serviceAccounts.insert(newServiceAccount(b.id, { name: 'x' })),
      await store().serviceAccounts.insert(newServiceAccount(b.id, { name: 'y' })),
    ];
    expect(await store().serviceAccounts.deleteWhere({ organizationId: a.id })).toBe(3);
    expect((await store().serviceAccounts.list({ organizationId: a.id })).items).toStrictEqual([]);
    expect(await store().serviceAccounts.deleteWhere({ organizationId: a.id })).toBe(0);
    expect(await store().serviceAccounts.deleteWhere({ organizationId: b.id, name: 'x' })).toBe(1);
    expect((await store().serviceAccounts.list({ organizationId: b.id })).items).toStrictEqual([keep[1]]);
  });

  it('deleteWhere refuses an empty filter instead of emptying the collection', async () => {
    const organization = await store().organizations.insert(newOrganization());
    await expect(store().organizations.deleteWhere({})).rejects.toThrow(/filter/);
    await expect(store().organizations.deleteWhere({ id: undefined })).rejects.toThrow(/filter/);
    expect(await store().organizations.get(organization.id)).toStrictEqual(organization);
  });

  it('narrows to a creation time range: from inclusive, before exclusive, pages within it', async () => {
    const organizationId = newId();
    const t = nextTime().getTime();
    const events = Array.from({ length: 6 }, (_, i) =>
      newAuditEvent({ organizationId, createdAt: new Date(t + 10 * i) }),
    );
    await store().auditEvents.insertMany(events);
    const range = { from: new Date(t + 10), before: new Date(t + 40) };
    const first = await store().auditEvents.list({ organizationId }, { pageSize: 2 }, range);
    expect(first.items).toStrictEqual(events.slice(1, 3));
    const rest = await store().auditEvents.list(
      { organizationId },
      { pageSize: 2, token: first.nextToken! },
      range,
    );
    expect(rest).toStrictEqual({ items: events.slice(3, 4) });
    expect(
      (await store().auditEvents.list({ organizationId }, {}, { from: new Date(t + 45) })).items,
    ).toStrictEqual(events.slice(5));
    expect(
      (await store().auditEvents.list({ organizationId }, {}, { before: new Date(t) })).items,
    ).toStrictEqual([]);
  });
}

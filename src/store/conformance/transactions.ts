import { expect, it } from 'vitest';
import { AlreadyExistsError } from '../errors.ts';
import { newMembership, newOrganization, newUser } from './fixtures.ts';
import type { GetStore } from './get-store.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function testTransactions(store: GetStore): void {
  it('a transaction that completes keeps every write and answers its result', async () => {
    const organization = newOrganization();
    const user = newUser();
    const result = await store().transaction(async (tx) => {
      await tx.organizations.insert(organization);
      await tx.users.insert(user);
      await tx.memberships.insert(newMembership(organization.id, user.id));
      // Reads inside the transaction see its own writes.
      expect(await tx.organizations.get(organization.id)).toStrictEqual(organization);
      return 'done';
    });
    expect(result).toBe('done');
    expect(await store().organizations.get(organization.id)).toStrictEqual(organization);
    expect((await store().memberships.list({ userId: user.id })).items).toHaveLength(1);
  });

  it('a transaction that throws after writing leaves nothing behind', async () => {
    const existing = await store().users.insert(newUser({ name: 'before' }));
    const organization = newOrganization();
    const user = newUser();
    const boom = new Error('boom');
    await expect(
      store().transaction(async (tx) => {
        await tx.organizations.insert(organization);
        await tx.users.insert(user);
        await tx.memberships.insert(newMembership(organization.id, user.id));
        await tx.users.update(existing.id, (u) => ({ ...u, name: 'after' }));
        await tx.users.delete(existing.id);
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await store().organizations.find(organization.id)).toBeUndefined();
    expect(await store().users.find(user.id)).toBeUndefined();
    expect(await store().users.get(existing.id)).toStrictEqual(existing);
  });

  it('a store error inside a transaction propagates and rolls it back', async () => {
    const taken = await store().users.insert(newUser());
    const organization = newOrganization();
    await expect(
      store().transaction(async (tx) => {
        await tx.organizations.insert(organization);
        await tx.users.insert(newUser({ email: taken.email }));
      }),
    ).rejects.toBeInstanceOf(AlreadyExistsError);
    expect(await store().organizations.find(organization.id)).toBeUndefined();
  });

  it('a nested transaction joins the outer one', async () => {
    const outer = newOrganization();
    const inner = newOrganization();
    await expect(
      store().transaction(async (tx) => {
        await tx.organizations.insert(outer);
        const seen = await tx.transaction(async (nested) => {
          await nested.organizations.insert(inner);
          return nested.organizations.find(outer.id);
        });
        expect(seen).toStrictEqual(outer);
        expect(await tx.organizations.find(inner.id)).toStrictEqual(inner);
        throw new Error('outer fails after the nested transaction returned');
      }),
    ).rejects.toThrow('outer fails');
    // Had the nested transaction committed by itself, `inner` would remain.
    expect(await store().organizations.find(inner.id)).toBeUndefined();
    expect(await store().organizations.find(outer.id)).toBeUndefined();
  });

  it('concurrent transactions do not mix: one rolling back leaves the other committed', async () => {
    const failed = newOrganization();
    const committed = newOrganization();
    const results = await Promise.allSettled([
      store().transaction(async (tx) => {
        await tx.organizations.insert(failed);
        await sleep(10);
        throw new Error('rolled back');
      }),
      store().transaction(async (tx) => {
        await sleep(2);
        await tx.organizations.insert(committed);
        await sleep(10);
      }),
    ]);
    expect(results.map((r) => r.status)).toStrictEqual(['rejected', 'fulfilled']);
    expect(await store().organizations.find(failed.id)).toBeUndefined();
    expect(await store().organizations.get(committed.id)).toStrictEqual(committed);
  });

  it('concurrent updates of one record serialize: none is lost', async () => {
    const n = 20;
    const user = await store().users.insert(newUser({ name: '' }));
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        store().users.update(user.id, async (current) => {
          // Read, wait, write: without the row lock the updates would overwrite each other.
          await sleep(i % 3);
          return { ...current, name: `${current.name}x` };
        }),
      ),
    );
    expect((await store().users.get(user.id)).name).toBe('x'.repeat(n));
  });

  it('concurrent updates inside transactions serialize as well', async () => {
    const n = 10;
    const organization = await store().organizations.insert(newOrganization({ name: '' }));
    await Promise.all(
      Array.from({ length: n }, () =>
        store().transaction(async (tx) => {
          await tx.organizations.update(organization.id, async (current) => {
            await sleep(1);
            return { ...current, name: `${current.name}y` };
          });
        }),
      ),
    );
    expect((await store().organizations.get(organization.id)).name).toBe('y'.repeat(n));
  });
}

import { expect, it } from 'vitest';
import { newId } from '../../core/ids.ts';
import { AlreadyExistsError, MissingReferenceError, NotFoundError } from '../errors.ts';
import {
  newCredential,
  newEnvironment,
  newMembership,
  newOrganization,
  newOrganizationInvite,
  newProject,
  newRunner,
  newServiceAccount,
  newSigningKey,
  newUser,
} from './fixtures.ts';
import type { GetStore } from './get-store.ts';

/** Awaits `promise`, expecting it to fail with an error of class `type`, and answers that error. */
async function failure<E extends Error>(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => E,
): Promise<E> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  return error as E;
}

export function testErrors(store: GetStore): void {
  it('a missing ID: get throws NotFoundError naming the collection; find answers undefined', async () => {
    const id = newId();
    const error = await failure(store().users.get(id), NotFoundError);
    expect(error.collection).toBe('users');
    expect(error.id).toBe(id);
    expect(await store().users.find(id)).toBeUndefined();
    await failure(store().organizations.get(newId()), NotFoundError);
    await failure(store().credentials.get(newId()), NotFoundError);
  });

  it('update and delete of a missing ID throw NotFoundError without calling the change', async () => {
    let called = false;
    await failure(
      store().runners.update(newId(), (r) => {
        called = true;
        return r;
      }),
      NotFoundError,
    );
    expect(called).toBe(false);
    await failure(store().runners.delete(newId()), NotFoundError);
  });

  it('a malformed ID is one that does not exist, never a database error', async () => {
    for (const id of ['not-a-uuid', '', "x' or 1=1 --", newId().toUpperCase().replace(/-/g, '')]) {
      await failure(store().users.get(id), NotFoundError);
      expect(await store().users.find(id)).toBeUndefined();
      await failure(
        store().users.update(id, (u) => u),
        NotFoundError,
      );
      await failure(store().users.delete(id), NotFoundError);
      expect(await store().memberships.findOne({ userId: id })).toBeUndefined();
      expect(await store().memberships.list({ organizationId: id })).toStrictEqual({ items: [] });
      expect(await store().memberships.deleteWhere({ organizationId: id })).toBe(0);
    }
  });

  it('inserting a duplicate ID throws AlreadyExistsError and keeps the first record', async () => {
    const first = await store().organizations.insert(newOrganization({ name: 'first' }));
    const error = await failure(
      store().organizations.insert(newOrganization({ id: first.id, name: 'second' })),
      AlreadyExistsError,
    );
    expect(error.collection).toBe('organizations');
    expect(error.fields).toStrictEqual(['id']);
    expect(await store().organizations.get(first.id)).toStrictEqual(first);
  });

  it('a duplicate user email throws AlreadyExistsError naming the field, not the value', async () => {
    const first = await store().users.insert(newUser());
    const second = newUser({ email: first.email });
    const error = await failure(store().users.insert(second), AlreadyExistsError);
    expect(error.fields).toStrictEqual(['email']);
    expect(error.message).not.toContain(first.email);
    expect(await store().users.find(second.id)).toBeUndefined();
  });

  it('a second membership of one user in one organization throws AlreadyExistsError', async () => {
    const organization = await store().organizations.insert(newOrganization());
    const user = await store().users.insert(newUser());
    await store().memberships.insert(newMembership(organization.id, user.id));
    const error = await failure(
      store().memberships.insert(newMembership(organization.id, user.id, { role: 'admin' })),
      AlreadyExistsError,
    );
    expect(error.fields).toStrictEqual(['organizationId', 'userId']);
    // The same user in another organization is fine.
    const other = await store().organizations.insert(newOrganization());
    await store().memberships.insert(newMembership(other.id, user.id));
    expect((await store().memberships.list({ userId: user.id })).items).toHaveLength(2);
  });

  it('a second invite of one organization throws AlreadyExistsError; another organization may have one', async () => {
    const organization = await store().organizations.insert(newOrganization());
    const first = await store().organizationInvites.insert(newOrganizationInvite(organization.id));
    const error = await failure(
      store().organizationInvites.insert(newOrganizationInvite(organization.id)),
      AlreadyExistsError,
    );
    expect(error.fields).toStrictEqual(['organizationId']);
    expect((await store().organizationInvites.list({ organizationId: organization.id })).items).toStrictEqual(
      [first],
    );
    const other = await store().organizations.insert(newOrganization());
    await store().organizationInvites.insert(newOrganizationInvite(other.id));
  });

  it('a duplicate credential secret hash throws AlreadyExistsError without the hash', async () => {
    const first = await store().credentials.insert(newCredential());
    const error = await failure(
      store().credentials.insert(newCredential({ secretHash: first.secretHash })),
      AlreadyExistsError,
    );
    expect(error.fields).toStrictEqual(['secretHash']);
    expect(error.message).not.toContain(first.secretHash);
    expect(JSON.stringify(error)).not.toContain(first.secretHash);
  });

  it('an update onto a taken unique value throws AlreadyExistsError and changes nothing', async () => {
    const taken = await store().users.insert(newUser());
    const user = await store().users.insert(newUser());
    await failure(
      store().users.update(user.id, (u) => ({ ...u, email: taken.email, name: 'changed' })),
      AlreadyExistsError,
    );
    expect(await store().users.get(user.id)).toStrictEqual(user);
  });

  it('a reference to a missing record throws MissingReferenceError and stores nothing', async () => {
    const organization = await store().organizations.insert(newOrganization());
    const user = await store().users.insert(newUser());
    const runner = await store().runners.insert(newRunner(organization.id));
    const missing = newId();
    const attempts: [() => Promise<unknown>, string, () => Promise<unknown>][] = [];
    const attempt = (write: () => Promise<unknown>, field: string, find: () => Promise<unknown>) =>
      attempts.push([write, field, find]);
    const m1 = newMembership(missing, user.id);
    attempt(
      () => store().memberships.insert(m1),
      'organizationId',
      () => store().memberships.find(m1.id),
    );
    const m2 = newMembership(organization.id, missing);
    attempt(
      () => store().memberships.insert(m2),
      'userId',
      () => store().memberships.find(m2.id),
    );
    const sa = newServiceAccount(missing);
    attempt(
      () => store().serviceAccounts.insert(sa),
      'organizationId',
      () => store().serviceAccounts.find(sa.id),
    );
    const r = newRunner(missing);
    attempt(
      () => store().runners.insert(r),
      'organizationId',
      () => store().runners.find(r.id),
    );
    const p = newProject(missing);
    attempt(
      () => store().projects.insert(p),
      'organizationId',
      () => store().projects.find(p.id),
    );
    const e1 = newEnvironment(organization.id, missing);
    attempt(
      () => store().environments.insert(e1),
      'runnerId',
      () => store().environments.find(e1.id),
    );
    const e2 = newEnvironment(organization.id, runner.id, { projectId: missing });
    attempt(
      () => store().environments.insert(e2),
      'projectId',
      () => store().environments.find(e2.id),
    );
    const invite = newOrganizationInvite(missing);
    attempt(
      () => store().organizationInvites.insert(invite),
      'organizationId',
      () => store().organizationInvites.find(invite.id),
    );
    const c = newCredential({
      principalKind: 'service_account',
      principalId: newId(),
      organizationId: missing,
    });
    attempt(
      () => store().credentials.insert(c),
      'organizationId',
      () => store().credentials.find(c.id),
    );
    for (const [write, field, find] of attempts) {
      const error = await failure(write(), MissingReferenceError);
      expect(error.fields).toStrictEqual([field]);
      expect(await find()).toBeUndefined();
    }
  });

  it('an update onto a missing reference throws MissingReferenceError and changes nothing', async () => {
    const organization = await store().organizations.insert(newOrganization());
    const project = await store().projects.insert(newProject(organization.id));
    await failure(
      store().projects.update(project.id, (p) => ({ ...p, organizationId: newId() })),
      MissingReferenceError,
    );
    expect(await store().projects.get(project.id)).toStrictEqual(project);
  });

  it('signing key IDs are any string (a kid): a missing one is NotFoundError', async () => {
    const key = await store().signingKeys.insert(newSigningKey({ id: 'kid-with.any_chars' }));
    expect(await store().signingKeys.get('kid-with.any_chars')).toStrictEqual(key);
    await failure(store().signingKeys.get('not-a-uuid'), NotFoundError);
    await failure(store().signingKeys.insert(newSigningKey({ id: key.id })), AlreadyExistsError);
  });

  it('at most one current and one next signing key per algorithm', async () => {
    // In a transaction that never commits, so the shared store keeps no current key.
    for (const state of ['current', 'next'] as const) {
      const first = newSigningKey({ state });
      const error = await failure(
        store().transaction(async (tx) => {
          await tx.signingKeys.insert(first);
          await tx.signingKeys.insert(newSigningKey({ state }));
        }),
        AlreadyExistsError,
      );
      expect(error.fields).toStrictEqual(['algorithm', 'state']);
      expect(await store().signingKeys.find(first.id)).toBeUndefined();
    }
  });

  it('one current and one next key of each algorithm side by side', async () => {
    await store()
      .transaction(async (tx) => {
        for (const state of ['current', 'next'] as const) {
          await tx.signingKeys.insert(newSigningKey({ state }));
          await tx.signingKeys.insert(newSigningKey({ state, algorithm: 'ES256' }));
        }
        expect(await tx.signingKeys.count({})).toBeGreaterThanOrEqual(4);
        throw new Error('roll back');
      })
      .catch((error: Error) => {
        if (error.message !== 'roll back') throw error;
      });
  });
}

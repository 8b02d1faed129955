import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/core/ids.ts';
import { AlreadyExistsError } from '../../src/store/errors.ts';
import type { Store } from '../../src/store/store.ts';
import { engines, openTestStore } from '../support/databases.ts';

describe.each(engines)('insertMany on %s', (engine) => {
  let store: Store;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    ({ store, dispose } = await openTestStore(engine));
  });
  afterAll(() => dispose());

  const user = (email: string, idp?: string) => ({
    id: newId(),
    email,
    name: email,
    emailVerified: true,
    ...(idp ? { idp, idpClaims: { groups: ['a'] } } : {}),
    createdAt: new Date(),
  });

  it('inserts records with different optional fields in one statement', async () => {
    const users = [user('a@example.com'), user('b@example.com', 'https://idp.example.com')];
    await store.users.insertMany(users);
    expect(await store.users.get(users[0]!.id)).toEqual(users[0]);
    expect(await store.users.get(users[1]!.id)).toEqual(users[1]);
  });

  it('inserts nothing when one record breaks a unique rule', async () => {
    const first = user('c@example.com');
    const clash = user('c@example.com');
    await expect(store.users.insertMany([first, clash])).rejects.toBeInstanceOf(AlreadyExistsError);
    expect(await store.users.find(first.id)).toBeUndefined();
  });
});

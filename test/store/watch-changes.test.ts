import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/core/ids.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/store.ts';
import { createTestDatabase, type Engine, engines, noPostgres, openTestStore } from '../support/databases.ts';
import { titled } from '../support/skip-reason.ts';

const waitFor = async (check: () => boolean) => {
  for (let i = 0; i < 1000 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  return check();
};

const organization = () => ({
  id: newId(),
  name: 'acme',
  oidcConfig: { version: 'v3' as const, extraSubFields: [] },
  createdAt: new Date(),
});

describe.each(engines)('watchChanges on %s', (engine: Engine) => {
  let store: Store;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    ({ store, dispose } = await openTestStore(engine));
  });
  afterAll(() => dispose());

  it('announces committed writes, and writes of a rolled-back transaction not at all', async () => {
    const seen: string[] = [];
    const stop = await store.watchChanges((collection) => seen.push(collection));
    const org = organization();
    await store.organizations.insert(org);
    expect(await waitFor(() => seen.includes('organizations'))).toBe(true);

    seen.length = 0;
    await store
      .transaction(async (tx) => {
        await tx.runners.insert({ id: newId(), organizationId: org.id, name: 'r', createdAt: new Date() });
        throw new Error('roll back');
      })
      .catch(() => {});
    await store.organizations.update(org.id, (o) => ({ ...o, name: 'acme 2' }));
    expect(await waitFor(() => seen.includes('organizations'))).toBe(true);
    expect(seen).not.toContain('runners');
    await stop();
  });
});

describe.skipIf(noPostgres !== undefined)(
  titled('watchChanges across servers on PostgreSQL', noPostgres),
  () => {
    it('tells one server about another server’s writes', async () => {
      const database = await createTestDatabase();
      const [a, b] = [
        await openStore({ databaseUrl: database.url }),
        await openStore({ databaseUrl: database.url }),
      ];
      try {
        const seen: string[] = [];
        const stop = await b.watchChanges((collection) => seen.push(collection));
        await a.organizations.insert(organization());
        expect(await waitFor(() => seen.includes('organizations'))).toBe(true);
        await stop();
      } finally {
        await a.close();
        await b.close();
        await database.drop();
      }
    });
  },
);

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOrganization } from '../../src/store/conformance/fixtures.ts';
import type { Store } from '../../src/store/store.ts';
import { openTestStore } from '../support/databases.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** PGlite has one session: everything that uses it must wait for a transaction in progress. */
describe('the PGlite session', () => {
  let store: Store;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    ({ store, dispose } = await openTestStore('pglite'));
  });
  afterAll(() => dispose());

  it('a watcher subscribing during a transaction that rolls back still hears later writes', async () => {
    const seen: string[] = [];
    let stop: (() => Promise<void>) | undefined;
    await store
      .transaction(async (tx) => {
        await tx.organizations.insert(newOrganization());
        const subscribing = store
          .watchChanges((collection) => seen.push(collection))
          .then((s) => {
            stop = s;
          });
        await sleep(20);
        void subscribing;
        throw new Error('roll back');
      })
      .catch(() => {});
    for (let i = 0; i < 1000 && !stop; i++) await sleep(10);
    expect(stop).toBeDefined();
    await store.organizations.insert(newOrganization());
    for (let i = 0; i < 1000 && !seen.includes('organizations'); i++) await sleep(10);
    expect(seen).toContain('organizations');
    await stop?.();
  });
});

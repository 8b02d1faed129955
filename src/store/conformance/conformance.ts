import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../store.ts';
import { testBulk } from './bulk.ts';
import { testRecords } from './crud.ts';
import { testErrors } from './failures.ts';
import type { GetStore } from './get-store.ts';
import { testLists } from './lists.ts';
import { testReferences } from './references.ts';
import { testTransactions } from './transactions.ts';

export type { GetStore } from './get-store.ts';

export interface ConformanceTarget {
  store: Store;
  dispose(): Promise<void>;
}

/**
 * Registers the tests every Store must pass (after dex's storage/conformance). `open` answers a fresh,
 * migrated, empty store; the suite opens one and shares it, so each test makes its own records with
 * fresh IDs and never depends on what other tests left behind.
 */
export function registerStoreConformance(name: string, open: () => Promise<ConformanceTarget>): void {
  describe(`store conformance (${name})`, () => {
    let target: ConformanceTarget | undefined;
    const store: GetStore = () => {
      if (!target) throw new Error('the store under test is not open');
      return target.store;
    };
    beforeAll(async () => {
      target = await open();
    });
    afterAll(async () => {
      await target?.dispose();
    });

    describe('records', () => testRecords(store));
    describe('errors', () => testErrors(store));
    describe('lists', () => testLists(store));
    describe('transactions', () => testTransactions(store));
    describe('references', () => testReferences(store));
    describe('bulk reads and writes', () => testBulk(store));

    // Last, since it closes the shared store (dispose closes it again, which must be harmless too).
    it('ping answers while open; after close it fails, and closing again is harmless', async () => {
      await store().ping();
      await store().close();
      await expect(store().ping()).rejects.toThrow();
      await store().close();
    });
  });
}

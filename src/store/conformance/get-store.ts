import type { Store } from '../store.ts';

/** Answers the store under test; only valid inside a test (after the suite opened it). */
export type GetStore = () => Store;

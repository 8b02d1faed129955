import type { Records } from '../../src/store/records.ts';
import type { Store } from '../../src/store/store.ts';

/**
 * A view of a store that writes down every collection call, with its arguments and what the store
 * answered (`none`, `a record`, `N records`, or the error's name), transactions included. Tests compare
 * the lists of two requests to show that they did the same work: a test cannot assert time, but equal
 * queries with equal answers take the same time.
 */
export function recordStoreCalls(store: Store): { store: Store; calls: string[] } {
  const calls: string[] = [];
  return { store: recording(store, calls), calls };
}

const collections = new Set<string>([
  'organizations',
  'users',
  'memberships',
  'organizationInvites',
  'serviceAccounts',
  'runners',
  'projects',
  'environments',
  'credentials',
  'signingKeys',
  'auditEvents',
] satisfies (keyof Records)[]);

function recording(store: Store, calls: string[]): Store {
  return new Proxy(store, {
    get(target, property) {
      if (property === 'transaction') {
        return (work: (tx: Store) => Promise<unknown>, options?: { lock?: string }) =>
          target.transaction((tx) => work(recording(tx, calls)), options);
      }
      const value = Reflect.get(target, property, target);
      if (typeof property === 'string' && collections.has(property)) {
        return recordingCollection(property, value as object, calls);
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function recordingCollection(name: string, collection: object, calls: string[]): object {
  return new Proxy(collection, {
    get(target, method) {
      const value = Reflect.get(target, method, target);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        const call = `${name}.${String(method)}(${JSON.stringify(args)})`;
        try {
          const result = await value.apply(target, args);
          calls.push(`${call} -> ${describeAnswer(result)}`);
          return result;
        } catch (error) {
          calls.push(`${call} -> threw ${(error as Error).name}`);
          throw error;
        }
      };
    },
  });
}

function describeAnswer(result: unknown): string {
  if (result === undefined) return 'none';
  if (typeof result === 'number') return `${result}`;
  const items = (result as { items?: unknown[] }).items;
  return Array.isArray(items) ? `${items.length} records` : 'a record';
}

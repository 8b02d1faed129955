import type { Collection, Filter } from '../store/store.ts';

/** Every record matching `filter`, page by page (for cascades that must see them all). */
export async function listAll<R extends { id: string }>(
  collection: Collection<R>,
  filter: Filter<R>,
): Promise<R[]> {
  const all: R[] = [];
  let token: string | undefined;
  do {
    const page = await collection.list(filter, { pageSize: 100, ...(token ? { token } : {}) });
    all.push(...page.items);
    token = page.nextToken;
  } while (token);
  return all;
}

import type { Clock } from '../core/clock.ts';
import { failedPrecondition } from '../core/errors.ts';
import type { Environment } from '../store/records.ts';
import { type Filter, maxBatchSize, type Store } from '../store/store.ts';

/** Environments that are not deleted yet (running or stopped). */
const live: Filter<Environment> = { status: ['running', 'stopped'] };

/** How many environments one statement of a cascade marks deleted (see markEnvironmentsDeleted). */
export const environmentDeleteBatchSize = 1_000;

/**
 * Deleting is final: the environment keeps its record (status `deleted`, so Get still answers it) and
 * every access token it was given is revoked, not merely refused while it is not running.
 */
export async function markEnvironmentDeleted(store: Store, clock: Clock, id: string): Promise<Environment> {
  return store.transaction(async (tx) => {
    const environment = await tx.environments.update(id, (current) => ({ ...current, status: 'deleted' }));
    await revokeEnvironmentCredentials(tx, clock, [id]);
    return environment;
  });
}

/**
 * Marks every live environment matching `filter` deleted, as markEnvironmentDeleted does one, in
 * batches of `batchSize`: each batch is one statement for the environments and one for their access
 * tokens, so no statement touches, and no list in memory holds, more than a batch (a project may have
 * tens of thousands). `alsoChange` is written in the same statement (DeleteProject detaches them from
 * the project, which would otherwise rewrite every row once more). Answers how many it marked. Run it
 * inside the caller's transaction to make the whole cascade land or none of it.
 */
export async function markEnvironmentsDeleted(
  store: Store,
  clock: Clock,
  filter: Filter<Environment>,
  options: { alsoChange?: Partial<Omit<Environment, 'id'>>; batchSize?: number } = {},
): Promise<number> {
  const batchSize = options.batchSize ?? environmentDeleteBatchSize;
  const change = { ...options.alsoChange, status: 'deleted' as const };
  let marked = 0;
  for (;;) {
    const ids = await store.environments.updateMany({ ...filter, ...live }, change, batchSize);
    if (ids.length > 0) await revokeEnvironmentCredentials(store, clock, ids);
    marked += ids.length;
    if (ids.length < batchSize) return marked;
  }
}

/**
 * Deleting what environments belong to (a project, a runner): refused (failed_precondition) while any of
 * `owner`'s environments (`filter`) is not deleted, unless `force`, which marks them deleted first, as
 * markEnvironmentsDeleted does. Run it inside the caller's transaction.
 */
export async function deleteLiveEnvironmentsOf(
  store: Store,
  clock: Clock,
  owner: { kind: 'project' | 'runner'; id: string },
  filter: Filter<Environment>,
  options: { force?: boolean | undefined; alsoChange?: Partial<Omit<Environment, 'id'>> } = {},
): Promise<void> {
  if (!options.force) {
    const live = await countLiveEnvironments(store, filter);
    if (live > 0) {
      throw failedPrecondition(
        `${owner.kind} ${owner.id} has ${live} environment(s) that are not deleted; ` +
          `delete them first, or pass "force": true to delete them with the ${owner.kind}`,
      );
    }
  }
  await markEnvironmentsDeleted(
    store,
    clock,
    filter,
    options.alsoChange ? { alsoChange: options.alsoChange } : {},
  );
}

/**
 * Takes the project's environments (deleted ones; live ones are refused or marked first) out of it in
 * batches, so that deleting the project leaves its foreign-key action nothing to rewrite.
 */
export async function detachEnvironments(
  store: Store,
  projectId: string,
  batchSize = environmentDeleteBatchSize,
): Promise<void> {
  for (;;) {
    const ids = await store.environments.updateMany({ projectId }, { projectId: undefined }, batchSize);
    if (ids.length < batchSize) return;
  }
}

/**
 * Revokes the live access tokens of these environments (revoking twice keeps the first time), a
 * bounded batch per statement until none is left.
 */
async function revokeEnvironmentCredentials(store: Store, clock: Clock, ids: string[]): Promise<void> {
  const revokedAt = clock.now();
  const limit = maxBatchSize;
  for (;;) {
    const revoked = await store.credentials.updateMany(
      { principalKind: 'environment', principalId: ids, revokedAt: null },
      { revokedAt },
      limit,
    );
    if (revoked.length < limit) return;
  }
}

/** How many environments matching `filter` are not deleted yet (running or stopped). */
export function countLiveEnvironments(store: Store, filter: Filter<Environment>): Promise<number> {
  return store.environments.count({ ...filter, ...live });
}

import type { Clock } from '../../../core/clock.ts';
import { revokeCredential } from '../../../services/credentials/issue-credential.ts';
import { listAll } from '../../../services/list-all.ts';
import type { Environment } from '../../../store/records.ts';
import type { Filter, Store } from '../../../store/store.ts';

/**
 * Deleting is final: the environment keeps its record (status `deleted`, so Get still answers it) and
 * every access token it was given is revoked, not merely refused while it is not running.
 */
export async function markEnvironmentDeleted(store: Store, clock: Clock, id: string): Promise<Environment> {
  return store.transaction(async (tx) => {
    const environment = await tx.environments.update(id, (current) => ({ ...current, status: 'deleted' }));
    for (const credential of await listAll(tx.credentials, { principalId: id })) {
      if (credential.principalKind === 'environment' && !credential.revokedAt) {
        await revokeCredential(tx, clock, credential.id);
      }
    }
    return environment;
  });
}

/** The environments matching `filter` that are not deleted yet (running or stopped). */
export async function liveEnvironments(store: Store, filter: Filter<Environment>): Promise<Environment[]> {
  return (await listAll(store.environments, filter)).filter(
    (environment) => environment.status !== 'deleted',
  );
}

import type { Clock } from '../../core/clock.ts';
import type { Credential } from '../../store/records.ts';
import type { Filter, Store } from '../../store/store.ts';
import { listAll } from '../list-all.ts';
import { revokeCredential } from './issue-credential.ts';

/**
 * Revokes every live credential matching `filter` (a principal's, optionally only those bound to one
 * organization). resolveCredential() already refuses a deleted principal or a former member; revoking as
 * well keeps an old credential dead if the principal or membership comes back.
 */
export async function revokePrincipalCredentials(
  store: Store,
  clock: Clock,
  filter: Filter<Credential> & Required<Pick<Credential, 'principalKind' | 'principalId'>>,
): Promise<number> {
  const credentials = await listAll(store.credentials, filter);
  const live = credentials.filter((credential) => !credential.revokedAt);
  for (const credential of live) await revokeCredential(store, clock, credential.id);
  return live.length;
}

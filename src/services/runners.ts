import { notFound, permissionDenied } from '../core/errors.ts';
import type { Runner } from '../store/records.ts';
import type { Store } from '../store/store.ts';
import { assertCanRead, canAdministerOrganization, inCallerOrganization, isSelf } from './authorize.ts';
import type { Principal } from './principal.ts';

/** The runner, when `principal` may see it; otherwise not_found, the same as for an unknown ID. */
export async function findVisibleRunner(store: Store, principal: Principal, id: string): Promise<Runner> {
  const missing = notFound('runner', id);
  const runner = await store.runners.findOne(inCallerOrganization(principal, id));
  if (!runner) throw missing;
  assertCanRead(principal, runner.organizationId, missing, isSelf(principal, 'runner', id));
  return runner;
}

/** The runner, when `principal` may manage it; not_found when it cannot even see it. */
export async function findManagedRunner(store: Store, principal: Principal, id: string): Promise<Runner> {
  const runner = await findVisibleRunner(store, principal, id);
  // It is visible, so refusing with permission_denied leaks nothing.
  if (!canAdministerOrganization(principal, runner.organizationId)) {
    throw permissionDenied('only an admin of the organization may do this');
  }
  return runner;
}

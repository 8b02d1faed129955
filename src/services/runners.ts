import { notFound, permissionDenied } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { Runner } from '../store/records.ts';
import type { Page, PageRequest, Store } from '../store/store.ts';
import { assertCanRead, canAdministerOrganization, inCallerOrganization, isSelf } from './authorize.ts';
import type { ServiceContext } from './context.ts';
import { revokePrincipalCredentials } from './credentials/revoke-principal-credentials.ts';
import { deleteLiveEnvironmentsOf } from './environment-lifecycle.ts';
import { organizationForCreate, organizationForList } from './organization-scope.ts';
import type { Principal } from './principal.ts';

/**
 * Runners, the infrastructure that runs environments. Organization admins manage runners and their
 * tokens; members read them; a runner's own credential may read only itself.
 */

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

/** An admin of the organization (the installation admin names it) creates one. */
export async function createRunner(
  { store, clock, principal }: ServiceContext,
  request: { name: string; organizationId?: string | undefined },
): Promise<Runner> {
  const organizationId = await organizationForCreate(store, principal, request.organizationId);
  // The organization is the caller's own, so refusing with permission_denied leaks nothing.
  if (!canAdministerOrganization(principal, organizationId)) {
    throw permissionDenied('only an admin of the organization may create runners');
  }
  return store.runners.insert({ id: newId(), organizationId, name: request.name, createdAt: clock.now() });
}

export const getRunner = ({ store, principal }: ServiceContext, id: string) =>
  findVisibleRunner(store, principal, id);

/** The caller's organization's (any, or the one named, for the installation admin). */
export async function listRunners(
  { store, principal }: ServiceContext,
  requestedOrganizationId: string | undefined,
  page: PageRequest,
): Promise<Page<Runner>> {
  const organizationId = organizationForList(principal, requestedOrganizationId, 'runners');
  return store.runners.list(organizationId ? { organizationId } : {}, page);
}

/**
 * Deletes the runner and revokes its tokens. Its environments that are not deleted yet refuse the
 * delete, unless `force`: then they are marked deleted with it, in bounded batches
 * (docs/decisions/0070-organization-wide-work-at-scale.md). All of it lands, or none.
 */
export async function deleteRunner(
  { store, clock, principal }: ServiceContext,
  id: string,
  options: { force?: boolean | undefined } = {},
): Promise<void> {
  const runner = await findManagedRunner(store, principal, id);
  await store.transaction(async (tx) => {
    await deleteLiveEnvironmentsOf(
      tx,
      clock,
      { kind: 'runner', id: runner.id },
      { runnerId: runner.id },
      { force: options.force },
    );
    await revokePrincipalCredentials(tx, clock, { principalKind: 'runner', principalId: runner.id });
    // The runner's environment records go with it (the store cascades).
    await tx.runners.delete(runner.id);
  });
}

import { notFound, permissionDenied } from '../core/errors.ts';
import type { Environment } from '../store/records.ts';
import type { Store } from '../store/store.ts';
import { canAdministerOrganization, canReadOrganization, inCallerOrganization, isSelf } from './authorize.ts';
import type { Principal } from './principal.ts';

/**
 * Who may do what with an environment (docs/decisions/0006-environment-runner.md):
 * - users of its organization (admins and members) and the installation admin see it;
 * - its creator (a user or service account, acting in the environment's organization) sees and manages it;
 * - admins of its organization and the installation admin manage it;
 * - its runner sees it and operates it (start, stop, access tokens: what running it takes), but does not
 *   delete it; a runner sees no other environment;
 * - its own credential sees only itself.
 * An environment the caller may not see answers not_found, exactly like an unknown ID.
 */

export function isCreator(principal: Principal, environment: Environment): boolean {
  return (
    (principal.kind === 'user' || principal.kind === 'service_account') &&
    principal.id === environment.creatorId &&
    principal.organizationId === environment.organizationId
  );
}

/** The runner that runs the environment. */
export function isItsRunner(principal: Principal, environment: Environment): boolean {
  return (
    principal.kind === 'runner' &&
    principal.id === environment.runnerId &&
    principal.organizationId === environment.organizationId
  );
}

export function canSeeEnvironment(principal: Principal, environment: Environment): boolean {
  return (
    canReadOrganization(principal, environment.organizationId) ||
    isCreator(principal, environment) ||
    isItsRunner(principal, environment) ||
    isSelf(principal, 'environment', environment.id)
  );
}

export function canManageEnvironment(principal: Principal, environment: Environment): boolean {
  return (
    canAdministerOrganization(principal, environment.organizationId) || isCreator(principal, environment)
  );
}

/** Start, stop and mint access tokens: who manages it, and its runner. */
export function canOperateEnvironment(principal: Principal, environment: Environment): boolean {
  return canManageEnvironment(principal, environment) || isItsRunner(principal, environment);
}

export async function findVisibleEnvironment(
  store: Store,
  principal: Principal,
  id: string,
): Promise<Environment> {
  const environment = await store.environments.findOne(inCallerOrganization(principal, id));
  if (!environment || !canSeeEnvironment(principal, environment)) throw notFound('environment', id);
  return environment;
}

export async function findManagedEnvironment(
  store: Store,
  principal: Principal,
  id: string,
): Promise<Environment> {
  const environment = await findVisibleEnvironment(store, principal, id);
  if (!canManageEnvironment(principal, environment)) {
    throw permissionDenied('only the creator of the environment or an admin of its organization may do this');
  }
  return environment;
}

export async function findOperatedEnvironment(
  store: Store,
  principal: Principal,
  id: string,
): Promise<Environment> {
  const environment = await findVisibleEnvironment(store, principal, id);
  if (!canOperateEnvironment(principal, environment)) {
    throw permissionDenied(
      'only the creator of the environment, an admin of its organization or its runner may do this',
    );
  }
  return environment;
}

import { invalidArgument, notFound, permissionDenied } from '../core/errors.ts';
import type { Store } from '../store/store.ts';
import { canReadOrganization } from './authorize.ts';
import type { Principal } from './principal.ts';

/**
 * Which organization a create or list call acts in. A credential of an organization acts in its own:
 * the Ona API has no organization field on these calls. The installation admin belongs to none, so it
 * names one in `organizationId` (an envid extension). Naming another organization answers not_found,
 * exactly as for one that does not exist.
 */
export async function organizationForCreate(
  store: Store,
  principal: Principal,
  requested: string | undefined,
): Promise<string> {
  if (principal.kind === 'installation_admin') {
    if (requested === undefined) {
      throw invalidArgument(
        'organizationId',
        'is required for the installation admin (an organization credential acts in its own organization)',
      );
    }
    if (!(await store.organizations.find(requested))) throw notFound('organization', requested);
    return requested;
  }
  if (requested !== undefined && requested !== principal.organizationId) {
    throw notFound('organization', requested);
  }
  return principal.organizationId;
}

/**
 * The organization a list call reads: undefined means every organization (installation admin only).
 * Machine credentials (service account, runner, environment) may read only themselves, so they may not
 * list `what`.
 */
export function organizationForList(
  principal: Principal,
  requested: string | undefined,
  what: string,
): string | undefined {
  if (principal.kind === 'installation_admin') return requested;
  if (requested !== undefined && requested !== principal.organizationId) {
    throw notFound('organization', requested);
  }
  if (!canReadOrganization(principal, principal.organizationId)) {
    throw permissionDenied(`a ${principal.kind.replace('_', ' ')} credential may not list ${what}`);
  }
  return principal.organizationId;
}

import { failedPrecondition, notFound, permissionDenied } from '../core/errors.ts';
import type { LabelChange } from '../core/labels.ts';
import type { Environment, EnvironmentStatus } from '../store/records.ts';
import type { Filter, Page, PageRequest } from '../store/store.ts';
import type { ServiceContext } from './context.ts';
import {
  findManagedEnvironment,
  findOperatedEnvironment,
  findVisibleEnvironment,
} from './environment-access.ts';
import { markEnvironmentDeleted } from './environment-lifecycle.ts';
import { changeLabels } from './labels.ts';

/**
 * Environments: reading, listing, starting, stopping and deleting them. Who may do which is
 * environment-access.ts; creating one is environment-create.ts, its access tokens
 * credentials/environment-tokens.ts.
 */

export const getEnvironment = ({ store, principal }: ServiceContext, id: string) =>
  findVisibleEnvironment(store, principal, id);

/** What a list call narrows on: one value each; `organizationId` only the installation admin picks freely. */
export interface EnvironmentListRequest {
  organizationId?: string | undefined;
  projectId?: string | undefined;
  runnerId?: string | undefined;
  creatorId?: string | undefined;
  status?: EnvironmentStatus | undefined;
}

const nothing: Page<Environment> = { items: [] };

/**
 * Users see their organization's environments; a service account only those it created; a runner only
 * those it runs (a filter on another creator or runner finds nothing); an environment credential may
 * not list.
 */
export async function listEnvironments(
  { store, principal }: ServiceContext,
  request: EnvironmentListRequest,
  page: PageRequest,
): Promise<Page<Environment>> {
  const filter: Filter<Environment> = {};
  if (request.projectId) filter.projectId = request.projectId;
  if (request.runnerId) filter.runnerId = request.runnerId;
  if (request.creatorId) filter.creatorId = request.creatorId;
  if (request.status) filter.status = request.status;
  switch (principal.kind) {
    case 'installation_admin':
      if (request.organizationId) filter.organizationId = request.organizationId;
      break;
    case 'user':
    case 'service_account':
      if (request.organizationId && request.organizationId !== principal.organizationId) {
        throw notFound('organization', request.organizationId);
      }
      filter.organizationId = principal.organizationId;
      if (principal.kind === 'service_account') {
        if (filter.creatorId && filter.creatorId !== principal.id) return nothing;
        filter.creatorId = principal.id;
      }
      break;
    case 'runner':
      if (request.organizationId && request.organizationId !== principal.organizationId) {
        throw notFound('organization', request.organizationId);
      }
      if (filter.runnerId && filter.runnerId !== principal.id) return nothing;
      filter.organizationId = principal.organizationId;
      filter.runnerId = principal.id;
      break;
    default:
      throw permissionDenied(`a ${principal.kind} credential may not list environments`);
  }
  return store.environments.list(filter, page);
}

/** Moves a running or stopped environment to `status`; a deleted one stays deleted. */
async function moveEnvironment(
  { store, principal }: ServiceContext,
  id: string,
  status: 'running' | 'stopped',
): Promise<Environment> {
  const environment = await findOperatedEnvironment(store, principal, id);
  // A stopped environment's token is refused from the next request on, even if cached.
  return store.environments.update(environment.id, (current) => {
    if (current.status === 'deleted') {
      throw failedPrecondition(`environment ${current.id} is deleted; it cannot be started or stopped`);
    }
    return { ...current, status };
  });
}

/** Its creator, its organization's admins, the installation admin and its runner start and stop it. */
export const startEnvironment = (context: ServiceContext, id: string) =>
  moveEnvironment(context, id, 'running');

export const stopEnvironment = (context: ServiceContext, id: string) =>
  moveEnvironment(context, id, 'stopped');

/** Its creator and its organization's admins delete it (not its runner); deleting twice is no error. */
export async function deleteEnvironment({ store, clock, principal }: ServiceContext, id: string) {
  const environment = await findManagedEnvironment(store, principal, id);
  return markEnvironmentDeleted(store, clock, environment.id);
}

/** Its creator and its organization's admins change its labels (docs/api.md#labels); audited. */
export async function updateEnvironment(
  context: ServiceContext,
  request: { environmentId: string; labels: LabelChange },
): Promise<Environment> {
  const environment = await findManagedEnvironment(context.store, context.principal, request.environmentId);
  return changeLabels(context, 'environment', (tx) => tx.environments, environment.id, request.labels);
}

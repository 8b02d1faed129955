import { z } from 'zod';
import { failedPrecondition, notFound, permissionDenied } from '../../../core/errors.ts';
import {
  findManagedEnvironment,
  findOperatedEnvironment,
  findVisibleEnvironment,
} from '../../../services/environment-access.ts';
import { markEnvironmentDeleted } from '../../../services/environment-lifecycle.ts';
import type { Environment } from '../../../store/records.ts';
import type { Filter } from '../../../store/store.ts';
import { defineMethod } from '../../connect/define-method.ts';
import { pageRequest, pageResponse } from '../../connect/pagination.ts';
import { pagination, uuid } from '../../connect/validation.ts';
import { createEnvironment, createEnvironmentFromProject } from './environment-create.ts';
import { environmentToApi, phaseNames, statusOfPhase } from './environment-to-api.ts';
import { environmentTokenMethods } from './environment-tokens.ts';

/**
 * EnvironmentService. Users of an organization see its environments; the creator and the
 * organization's admins manage one; an environment's own credential reads only itself.
 */

export const getEnvironment = defineMethod({
  service: 'EnvironmentService',
  method: 'GetEnvironment',
  input: z.object({ environmentId: uuid() }),
  handler: async (input, { store, principal }) => ({
    environment: environmentToApi(await findVisibleEnvironment(store, principal, input.environmentId)),
  }),
});

const oneId = (what: string) =>
  z
    .array(uuid())
    .max(1, { error: `envid filters on at most one ${what} ID` })
    .optional();

export const listEnvironments = defineMethod({
  service: 'EnvironmentService',
  method: 'ListEnvironments',
  input: z.object({
    pagination,
    filter: z
      .object({
        projectIds: oneId('project'),
        runnerIds: oneId('runner'),
        creatorIds: oneId('creator'),
        statusPhases: z
          .array(z.enum(phaseNames, { error: `must be one of ${phaseNames.join(', ')}` }))
          .max(1, { error: 'envid filters on at most one phase' })
          .optional(),
      })
      .optional(),
    /** envid extension: the installation admin may name one organization (all when absent). */
    organizationId: uuid().optional(),
  }),
  handler: async (input, { store, principal, request }) => {
    const filter: Filter<Environment> = {};
    const { projectIds, runnerIds, creatorIds, statusPhases } = input.filter ?? {};
    if (projectIds?.[0]) filter.projectId = projectIds[0];
    if (runnerIds?.[0]) filter.runnerId = runnerIds[0];
    if (creatorIds?.[0]) filter.creatorId = creatorIds[0];
    if (statusPhases?.[0]) filter.status = statusOfPhase(statusPhases[0]);
    switch (principal.kind) {
      case 'installation_admin':
        if (input.organizationId) filter.organizationId = input.organizationId;
        break;
      case 'user':
      case 'service_account':
        if (input.organizationId && input.organizationId !== principal.organizationId) {
          throw notFound('organization', input.organizationId);
        }
        filter.organizationId = principal.organizationId;
        if (principal.kind === 'service_account') {
          // A service account sees only the environments it created.
          if (filter.creatorId && filter.creatorId !== principal.id) {
            return pageResponse('environments', { items: [] }, environmentToApi);
          }
          filter.creatorId = principal.id;
        }
        break;
      case 'runner':
        // A runner sees the environments it runs.
        if (input.organizationId && input.organizationId !== principal.organizationId) {
          throw notFound('organization', input.organizationId);
        }
        if (filter.runnerId && filter.runnerId !== principal.id) {
          return pageResponse('environments', { items: [] }, environmentToApi);
        }
        filter.organizationId = principal.organizationId;
        filter.runnerId = principal.id;
        break;
      default:
        throw permissionDenied(`a ${principal.kind} credential may not list environments`);
    }
    const page = await store.environments.list(filter, pageRequest(input.pagination, request));
    return pageResponse('environments', page, environmentToApi);
  },
});

/** Moves a running or stopped environment to `status`; a deleted one stays deleted. */
function transition(method: 'StartEnvironment' | 'StopEnvironment', status: 'running' | 'stopped') {
  return defineMethod({
    service: 'EnvironmentService',
    method,
    input: z.object({ environmentId: uuid() }),
    handler: async (input, { store, principal }) => {
      const environment = await findOperatedEnvironment(store, principal, input.environmentId);
      await store.environments.update(environment.id, (current) => {
        if (current.status === 'deleted') {
          throw failedPrecondition(`environment ${current.id} is deleted; it cannot be started or stopped`);
        }
        return { ...current, status };
      });
      // A stopped environment's token is refused from the next request on, even if cached.
      return {};
    },
  });
}

export const startEnvironment = transition('StartEnvironment', 'running');
export const stopEnvironment = transition('StopEnvironment', 'stopped');

export const deleteEnvironment = defineMethod({
  service: 'EnvironmentService',
  method: 'DeleteEnvironment',
  input: z.object({ environmentId: uuid(), force: z.boolean().optional() }),
  handler: async (input, { store, clock, principal }) => {
    const environment = await findManagedEnvironment(store, principal, input.environmentId);
    await markEnvironmentDeleted(store, clock, environment.id);
    return {};
  },
});

export const environmentMethods = [
  createEnvironment,
  createEnvironmentFromProject,
  getEnvironment,
  listEnvironments,
  startEnvironment,
  stopEnvironment,
  deleteEnvironment,
  ...environmentTokenMethods,
];

import { z } from 'zod';
import * as environments from '../../../services/environments.ts';
import { defineMethod } from '../../connect/define-method.ts';
import { pageRequest, pageResponse } from '../../connect/pagination.ts';
import { pagination, uuid } from '../../connect/validation.ts';
import { createEnvironment, createEnvironmentFromProject } from './environment-create.ts';
import { environmentToApi, phaseNames, statusOfPhase } from './environment-to-api.ts';
import { environmentTokenMethods } from './environment-tokens.ts';
import { labelChangeFromApi, labelChangeInput } from './labels.ts';

/**
 * EnvironmentService; who may do what is src/services/environment-access.ts, the calls are
 * src/services/environments.ts and environment-create.ts.
 */

export const getEnvironment = defineMethod({
  service: 'EnvironmentService',
  method: 'GetEnvironment',
  input: z.object({ environmentId: uuid() }),
  handler: async (input, call) => ({
    environment: environmentToApi(await environments.getEnvironment(call, input.environmentId)),
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
  handler: async (input, call) => {
    const { projectIds, runnerIds, creatorIds, statusPhases } = input.filter ?? {};
    const phase = statusPhases?.[0];
    const page = await environments.listEnvironments(
      call,
      {
        organizationId: input.organizationId,
        projectId: projectIds?.[0],
        runnerId: runnerIds?.[0],
        creatorId: creatorIds?.[0],
        status: phase ? statusOfPhase(phase) : undefined,
      },
      pageRequest(input.pagination, call.request),
    );
    return pageResponse('environments', page, environmentToApi);
  },
});

/** envid: changes an environment's labels; `labels` are set (added or replaced), `removeLabels` removed. */
export const updateEnvironment = defineMethod({
  service: 'EnvironmentService',
  method: 'UpdateEnvironment',
  input: z.object({ environmentId: uuid(), ...labelChangeInput }),
  handler: async (input, call) => ({
    environment: environmentToApi(
      await environments.updateEnvironment(call, {
        environmentId: input.environmentId,
        labels: labelChangeFromApi(input),
      }),
    ),
  }),
});

/** Start and Stop: the same input and answer, a different move. */
function statusMethod(
  method: 'StartEnvironment' | 'StopEnvironment',
  move: typeof environments.startEnvironment,
) {
  return defineMethod({
    service: 'EnvironmentService',
    method,
    input: z.object({ environmentId: uuid() }),
    handler: async (input, call) => {
      await move(call, input.environmentId);
      return {};
    },
  });
}

export const startEnvironment = statusMethod('StartEnvironment', environments.startEnvironment);
export const stopEnvironment = statusMethod('StopEnvironment', environments.stopEnvironment);

export const deleteEnvironment = defineMethod({
  service: 'EnvironmentService',
  method: 'DeleteEnvironment',
  input: z.object({ environmentId: uuid(), force: z.boolean().optional() }),
  handler: async (input, call) => {
    await environments.deleteEnvironment(call, input.environmentId);
    return {};
  },
});

export const environmentMethods = [
  createEnvironment,
  createEnvironmentFromProject,
  getEnvironment,
  updateEnvironment,
  listEnvironments,
  startEnvironment,
  stopEnvironment,
  deleteEnvironment,
  ...environmentTokenMethods,
];

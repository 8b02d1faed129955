import { z } from 'zod';
import { uuidPattern } from '../../../core/ids.ts';
import * as environmentCreate from '../../../services/environment-create.ts';
import { defineMethod } from '../../connect/define-method.ts';
import { uuid } from '../../connect/validation.ts';
import { environmentToApi } from './environment-to-api.ts';
import { initializerInput, initializersFromApi } from './initializers.ts';
import { labelsInput } from './labels.ts';

/**
 * CreateEnvironment and CreateEnvironmentFromProject; who may create is
 * src/services/environment-create.ts. The spec names the environment's runner in `spec.machine.class`
 * (envid has no environment classes).
 */

const runnerClass = () =>
  z.string().regex(uuidPattern, {
    error: 'must be the ID of the runner that runs the environment (a lower-case, hyphenated UUID)',
  });

const spec = z.object({
  machine: z.object({ class: runnerClass() }),
  content: z.object({ initializer: initializerInput.optional() }).optional(),
  desiredPhase: z
    .enum(['ENVIRONMENT_PHASE_RUNNING', 'ENVIRONMENT_PHASE_STOPPED'], {
      error: 'must be ENVIRONMENT_PHASE_RUNNING (the default) or ENVIRONMENT_PHASE_STOPPED',
    })
    .optional(),
});

function newEnvironmentFromApi(input: z.infer<typeof spec>): environmentCreate.NewEnvironment {
  return {
    runnerId: input.machine.class,
    initializers: initializersFromApi(input.content?.initializer),
    status: input.desiredPhase === 'ENVIRONMENT_PHASE_STOPPED' ? 'stopped' : 'running',
  };
}

export const createEnvironment = defineMethod({
  service: 'EnvironmentService',
  method: 'CreateEnvironment',
  /** `labels`: envid extension, the environment's labels. */
  input: z.object({ spec, labels: labelsInput }),
  handler: async (input, call) => ({
    environment: environmentToApi(
      await environmentCreate.createEnvironment(call, {
        ...newEnvironmentFromApi(input.spec),
        labels: input.labels,
      }),
    ),
  }),
});

export const createEnvironmentFromProject = defineMethod({
  service: 'EnvironmentService',
  method: 'CreateEnvironmentFromProject',
  input: z.object({ projectId: uuid(), spec, labels: labelsInput }),
  handler: async (input, call) => ({
    environment: environmentToApi(
      await environmentCreate.createEnvironmentFromProject(call, {
        projectId: input.projectId,
        ...newEnvironmentFromApi(input.spec),
        labels: input.labels,
      }),
    ),
  }),
});

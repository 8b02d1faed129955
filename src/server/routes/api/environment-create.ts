import { z } from 'zod';
import { failedPrecondition, notFound, permissionDenied } from '../../../core/errors.ts';
import { newId, uuidPattern } from '../../../core/ids.ts';
import type { CreatorPrincipal, Environment, Initializer } from '../../../store/records.ts';
import type { Store } from '../../../store/store.ts';
import { defineMethod } from '../../connect/define-method.ts';
import { uuid } from '../../connect/validation.ts';
import type { Principal } from '../../principal.ts';
import { environmentToApi } from './environment-to-api.ts';
import { initializerInput, initializersFromApi } from './initializers.ts';

/**
 * CreateEnvironment and CreateEnvironmentFromProject. The creator is the calling user or service
 * account; the environment lives in the caller's organization and names its runner in
 * `spec.machine.class` (envid has no environment classes).
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

type Spec = z.infer<typeof spec>;

interface Creator {
  organizationId: string;
  creatorId: string;
  creatorPrincipal: CreatorPrincipal;
}

function creatorOf(principal: Principal): Creator {
  if (principal.kind === 'installation_admin') {
    throw failedPrecondition(
      'an environment needs a creator (a user or a service account) and the installation admin is neither: ' +
        "call with a user's personal access token or a service account's access token",
    );
  }
  if (principal.kind !== 'user' && principal.kind !== 'service_account') {
    throw permissionDenied(`a ${principal.kind} credential may not create environments`);
  }
  return {
    organizationId: principal.organizationId,
    creatorId: principal.id,
    creatorPrincipal: principal.kind,
  };
}

/** The runner must belong to the creator's organization; any other answers not_found, like an unknown ID. */
async function assertRunnerOf(store: Store, organizationId: string, runnerId: string): Promise<void> {
  // By ID and organization in one query: another organization's runner costs what an unknown ID does.
  if (!(await store.runners.findOne({ id: runnerId, organizationId }))) throw notFound('runner', runnerId);
}

async function insertEnvironment(
  store: Store,
  creator: Creator,
  spec: Spec,
  initializers: Initializer[],
  createdAt: Date,
  projectId?: string,
): Promise<Environment> {
  await assertRunnerOf(store, creator.organizationId, spec.machine.class);
  return store.environments.insert({
    id: newId(),
    ...creator,
    ...(projectId ? { projectId } : {}),
    runnerId: spec.machine.class,
    initializers,
    status: spec.desiredPhase === 'ENVIRONMENT_PHASE_STOPPED' ? 'stopped' : 'running',
    createdAt,
  });
}

export const createEnvironment = defineMethod({
  service: 'EnvironmentService',
  method: 'CreateEnvironment',
  input: z.object({ spec }),
  handler: async (input, { store, clock, principal }) => {
    const creator = creatorOf(principal);
    const initializers = initializersFromApi(input.spec.content?.initializer);
    const environment = await insertEnvironment(store, creator, input.spec, initializers, clock.now());
    return { environment: environmentToApi(environment) };
  },
});

export const createEnvironmentFromProject = defineMethod({
  service: 'EnvironmentService',
  method: 'CreateEnvironmentFromProject',
  input: z.object({ projectId: uuid(), spec }),
  handler: async (input, { store, clock, principal }) => {
    const creator = creatorOf(principal);
    const environment = await store.transaction(async (tx) => {
      const project = await tx.projects.findOne({
        id: input.projectId,
        organizationId: creator.organizationId,
      });
      if (!project) throw notFound('project', input.projectId);
      // Locks the project row: a concurrent DeleteProject waits, so it sees this environment.
      await tx.projects.update(project.id, (current) => current);
      // Initializers come from the project unless the request gives at least one.
      const given = initializersFromApi(input.spec.content?.initializer);
      const initializers = given.length > 0 ? given : project.initializers;
      return insertEnvironment(tx, creator, input.spec, initializers, clock.now(), project.id);
    });
    return { environment: environmentToApi(environment) };
  },
});

import { apiPrincipalNames } from '../../../core/principal-kinds.ts';
import type { Environment, EnvironmentStatus } from '../../../store/records.ts';
import { formatTimestamp } from '../../connect/timestamps.ts';
import { initializersToApi } from './initializers.ts';
import { labelsToApi } from './labels.ts';

export const environmentPhases = {
  running: 'ENVIRONMENT_PHASE_RUNNING',
  stopped: 'ENVIRONMENT_PHASE_STOPPED',
  deleted: 'ENVIRONMENT_PHASE_DELETED',
} as const satisfies Record<EnvironmentStatus, string>;

export type EnvironmentPhase = (typeof environmentPhases)[EnvironmentStatus];

export const phaseNames = Object.values(environmentPhases) as [EnvironmentPhase, ...EnvironmentPhase[]];

export const statusOfPhase = (phase: EnvironmentPhase): EnvironmentStatus =>
  (Object.keys(environmentPhases) as EnvironmentStatus[]).find(
    (status) => environmentPhases[status] === phase,
  )!;

/**
 * The API's view of an environment. envid has no environment classes: `spec.machine.class` is the ID of
 * the runner that runs the environment (docs/decisions/0006-environment-runner.md).
 */
export function environmentToApi(environment: Environment) {
  const phase = environmentPhases[environment.status];
  return {
    id: environment.id,
    metadata: {
      organizationId: environment.organizationId,
      creator: { id: environment.creatorId, principal: apiPrincipalNames[environment.creatorPrincipal] },
      ...(environment.projectId ? { projectId: environment.projectId } : {}),
      runnerId: environment.runnerId,
      ...labelsToApi(environment.labels),
      createdAt: formatTimestamp(environment.createdAt),
    },
    spec: {
      desiredPhase: phase,
      machine: { class: environment.runnerId },
      content: { initializer: initializersToApi(environment.initializers) },
    },
    status: { phase },
  };
}

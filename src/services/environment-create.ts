import type { Labels } from '../core/domain/labels.ts';
import { failedPrecondition, notFound, permissionDenied } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { newLabels } from '../core/labels.ts';
import type { CreatorPrincipal, Environment, Initializer } from '../store/records.ts';
import type { Store } from '../store/store.ts';
import type { ServiceContext } from './context.ts';
import type { Principal } from './principal.ts';

/**
 * Creating environments. The creator is the calling user or service account; the environment lives in
 * the caller's organization and runs on one of its runners.
 */

/** What a new environment is given: its runner, its initializers and the phase it starts in. */
export interface NewEnvironment {
  runnerId: string;
  initializers: Initializer[];
  /** Its own labels; a project's labels stay the project's (they reach tokens as `project_labels`). */
  labels?: Labels | undefined;
  status: 'running' | 'stopped';
}

interface Creator {
  organizationId: string;
  creatorId: string;
  creatorPrincipal: CreatorPrincipal;
}

/**
 * The creator's SSO issuer and forwarded claims as they are now: the environment keeps them, so a later
 * sign-in that changes the user's claims does not change what this environment's tokens say.
 */
async function creatorIdentity(
  store: Store,
  creator: Creator,
): Promise<Pick<Environment, 'creatorIdp' | 'creatorIdpClaims'>> {
  if (creator.creatorPrincipal !== 'user') return {};
  const user = await store.users.find(creator.creatorId);
  return {
    ...(user?.idp ? { creatorIdp: user.idp } : {}),
    ...(user?.idpClaims && Object.keys(user.idpClaims).length > 0
      ? { creatorIdpClaims: user.idpClaims }
      : {}),
  };
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
  request: NewEnvironment,
  createdAt: Date,
  projectId?: string,
): Promise<Environment> {
  const labels = newLabels(request.labels);
  await assertRunnerOf(store, creator.organizationId, request.runnerId);
  return store.environments.insert({
    id: newId(),
    ...creator,
    ...(await creatorIdentity(store, creator)),
    ...(projectId ? { projectId } : {}),
    runnerId: request.runnerId,
    initializers: request.initializers,
    ...(labels ? { labels } : {}),
    status: request.status,
    createdAt,
  });
}

export async function createEnvironment(
  { store, clock, principal }: ServiceContext,
  request: NewEnvironment,
): Promise<Environment> {
  return insertEnvironment(store, creatorOf(principal), request, clock.now());
}

/** From a project of the caller's organization; its initializers unless the request gives at least one. */
export async function createEnvironmentFromProject(
  { store, clock, principal }: ServiceContext,
  request: NewEnvironment & { projectId: string },
): Promise<Environment> {
  const creator = creatorOf(principal);
  return store.transaction(async (tx) => {
    const project = await tx.projects.findOne({
      id: request.projectId,
      organizationId: creator.organizationId,
    });
    if (!project) throw notFound('project', request.projectId);
    // Locks the project row: a concurrent DeleteProject waits, so it sees this environment.
    await tx.projects.update(project.id, (current) => current);
    const initializers = request.initializers.length > 0 ? request.initializers : project.initializers;
    return insertEnvironment(tx, creator, { ...request, initializers }, clock.now(), project.id);
  });
}

import {
  type EnvironmentCreator,
  type SubjectUser,
  subjectFields,
  type TokenSubject,
} from '../core/tokens/token-subject.ts';
import type { Store } from '../store/store.ts';

/**
 * Every principal of an organization that can get a token now, with the records its claims are made of:
 * member users, service accounts, runners and environments that are not deleted. An environment whose
 * creator no longer exists is left out: it cannot get a token (token-subjects.ts refuses it).
 * Once per configuration change or preview, never on the token path: one query per record kind (and
 * one for creators who left the organization), of only the columns the claims need, so an organization
 * of 50,000 principals loads in a fraction of a second.
 */
export async function loadOrganizationSubjects(
  store: Store,
  organizationId: string,
): Promise<TokenSubject[]> {
  const [memberships, serviceAccounts, runners, projects, environments] = await Promise.all([
    store.memberships.select({ organizationId }, ['userId']),
    store.serviceAccounts.select({ organizationId }, subjectFields.serviceAccount),
    store.runners.select({ organizationId }, subjectFields.runner),
    store.projects.select({ organizationId }, subjectFields.project),
    store.environments.select({ organizationId, status: ['running', 'stopped'] }, subjectFields.environment),
  ]);
  const members = await usersById(
    store,
    memberships.map((membership) => membership.userId),
  );
  // A creator who left the organization still has its user record; token-subjects.ts finds it by ID.
  const formerMembers = await usersById(store, [
    ...new Set(
      environments
        .filter(
          (environment) => environment.creatorPrincipal === 'user' && !members.has(environment.creatorId),
        )
        .map((environment) => environment.creatorId),
    ),
  ]);
  const serviceAccountsById = new Map(serviceAccounts.map((sa) => [sa.id, sa]));
  const projectsById = new Map(projects.map((project) => [project.id, project]));
  const creator = (principal: string, id: string): EnvironmentCreator | undefined => {
    if (principal === 'user') {
      const user = members.get(id) ?? formerMembers.get(id);
      return user ? { principal: 'user', user } : undefined;
    }
    const serviceAccount = serviceAccountsById.get(id);
    return serviceAccount ? { principal: 'service_account', serviceAccount } : undefined;
  };
  const subjects: TokenSubject[] = [];
  // In membership order, as before: the preview lists the first changes and examples in this order.
  for (const { userId } of memberships) {
    const user = members.get(userId);
    if (user) subjects.push({ kind: 'user', organizationId, user });
  }
  for (const serviceAccount of serviceAccounts) subjects.push({ kind: 'service_account', serviceAccount });
  for (const runner of runners) subjects.push({ kind: 'runner', runner });
  for (const environment of environments) {
    const by = creator(environment.creatorPrincipal, environment.creatorId);
    if (!by) continue;
    const project = environment.projectId ? projectsById.get(environment.projectId) : undefined;
    subjects.push({
      kind: 'environment',
      organizationId,
      environment,
      ...(project ? { project } : {}),
      creator: by,
    });
  }
  return subjects;
}

/** The users with these IDs (those that exist), in one query. */
async function usersById(store: Store, ids: string[]): Promise<Map<string, SubjectUser>> {
  if (ids.length === 0) return new Map();
  const users = await store.users.select({ id: ids }, subjectFields.user);
  return new Map(users.map((user) => [user.id, user]));
}

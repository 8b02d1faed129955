import type { EnvironmentCreator, TokenSubject } from '../../core/tokens/token-subject.ts';
import { listAll } from '../../services/list-all.ts';
import type { Store } from '../../store/store.ts';

/**
 * Every principal of an organization that can get a token now, with the records its claims are made of:
 * member users, service accounts, runners and environments that are not deleted. An environment whose
 * creator no longer exists is left out: it cannot get a token (token-subjects.ts refuses it).
 * Reads whole lists, once per configuration change or preview; never on the token path.
 */
export async function loadOrganizationSubjects(
  store: Store,
  organizationId: string,
): Promise<TokenSubject[]> {
  const [memberships, serviceAccounts, runners, projects, environments] = await Promise.all([
    listAll(store.memberships, { organizationId }),
    listAll(store.serviceAccounts, { organizationId }),
    listAll(store.runners, { organizationId }),
    listAll(store.projects, { organizationId }),
    listAll(store.environments, { organizationId }),
  ]);
  const users = new Map(
    (await Promise.all(memberships.map((m) => store.users.find(m.userId))))
      .filter((user) => user !== undefined)
      .map((user) => [user.id, user]),
  );
  const serviceAccountsById = new Map(serviceAccounts.map((sa) => [sa.id, sa]));
  const projectsById = new Map(projects.map((project) => [project.id, project]));
  const creator = (principal: string, id: string): EnvironmentCreator | undefined => {
    if (principal === 'user') {
      const user = users.get(id);
      return user ? { principal: 'user', user } : undefined;
    }
    const serviceAccount = serviceAccountsById.get(id);
    return serviceAccount ? { principal: 'service_account', serviceAccount } : undefined;
  };
  const subjects: TokenSubject[] = [];
  for (const user of users.values()) subjects.push({ kind: 'user', organizationId, user });
  for (const serviceAccount of serviceAccounts) subjects.push({ kind: 'service_account', serviceAccount });
  for (const runner of runners) subjects.push({ kind: 'runner', runner });
  for (const environment of environments) {
    if (environment.status === 'deleted') continue;
    // A creator who left the organization still has its user record; token-subjects.ts finds it by ID.
    const by =
      creator(environment.creatorPrincipal, environment.creatorId) ??
      (environment.creatorPrincipal === 'user'
        ? await findUserCreator(store, environment.creatorId)
        : undefined);
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

async function findUserCreator(store: Store, id: string): Promise<EnvironmentCreator | undefined> {
  const user = await store.users.find(id);
  return user ? { principal: 'user', user } : undefined;
}

import type { Clock } from '../../src/core/clock.ts';
import { newId } from '../../src/core/ids.ts';
import { issueCredential } from '../../src/services/credentials/issue-credential.ts';
import type {
  Environment,
  OidcConfig,
  Organization,
  Project,
  Runner,
  ServiceAccount,
  User,
} from '../../src/store/records.ts';
import type { Store } from '../../src/store/store.ts';

export interface OrganizationFixture {
  organization: Organization;
  admin: User;
  serviceAccount: ServiceAccount;
  runner: Runner;
  project: Project;
  environment: Environment;
  /** Secrets by principal. */
  tokens: { admin: string; member: string; serviceAccount: string; runner: string; environment: string };
}

/**
 * For token tests: an organization with one principal of every kind, SSO details, a project with a git
 * initializer and an environment of it, and a credential for each, written straight to the
 * store (fast, and independent of the API under test).
 */
export async function seedTokenOrganization(
  store: Store,
  clock: Clock,
  options: { name?: string; oidcConfig?: OidcConfig } = {},
): Promise<OrganizationFixture> {
  const now = clock.now();
  const organization: Organization = {
    id: newId(),
    name: options.name ?? 'Acme',
    oidcConfig: options.oidcConfig ?? { version: 'v3', extraSubFields: [] },
    createdAt: now,
  };
  await store.organizations.insert(organization);
  const user = (name: string): User => ({
    id: newId(),
    email: `${name}-${newId().slice(0, 8)}@acme.example`,
    name,
    emailVerified: true,
    idp: 'https://accounts.acme.example',
    idpClaims: { groups: ['dev', 'ops'], department: 'R&D: tools' },
    createdAt: now,
  });
  const admin = user('Ada Admin');
  const member = user('Max Member');
  await store.users.insertMany([admin, member]);
  await store.memberships.insertMany([
    { id: newId(), organizationId: organization.id, userId: admin.id, role: 'admin', createdAt: now },
    { id: newId(), organizationId: organization.id, userId: member.id, role: 'member', createdAt: now },
  ]);
  const serviceAccount: ServiceAccount = {
    id: newId(),
    organizationId: organization.id,
    name: 'ci-bot',
    createdAt: now,
  };
  await store.serviceAccounts.insert(serviceAccount);
  const runner: Runner = { id: newId(), organizationId: organization.id, name: 'eu-runner', createdAt: now };
  await store.runners.insert(runner);
  const project: Project = {
    id: newId(),
    organizationId: organization.id,
    name: 'backend',
    initializers: [
      {
        git: {
          remoteUri: 'https://github.com/acme/backend.git',
          upstreamRemoteUri: 'https://github.com/up/backend.git',
        },
        contextUrl: 'https://github.com/acme/backend/tree/main',
      },
    ],
    createdAt: now,
  };
  await store.projects.insert(project);
  const environment: Environment = {
    id: newId(),
    organizationId: organization.id,
    projectId: project.id,
    runnerId: runner.id,
    creatorId: admin.id,
    creatorPrincipal: 'user',
    ...(admin.idp ? { creatorIdp: admin.idp } : {}),
    ...(admin.idpClaims ? { creatorIdpClaims: admin.idpClaims } : {}),
    initializers: project.initializers,
    status: 'running',
    createdAt: now,
  };
  await store.environments.insert(environment);
  const secret = async (
    principalKind: 'user' | 'service_account' | 'runner' | 'environment',
    principalId: string,
  ) =>
    (
      await issueCredential(store, clock, {
        principalKind,
        principalId,
        organizationId: organization.id,
        description: 'test',
      })
    ).secret;
  return {
    organization,
    admin,
    serviceAccount,
    runner,
    project,
    environment,
    tokens: {
      admin: await secret('user', admin.id),
      member: await secret('user', member.id),
      serviceAccount: await secret('service_account', serviceAccount.id),
      runner: await secret('runner', runner.id),
      environment: await secret('environment', environment.id),
    },
  };
}

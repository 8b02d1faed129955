import { randomUUID } from 'node:crypto';
import type { Clock } from '../../src/core/clock.ts';
import { issueCredential, type NewCredential } from '../../src/services/credentials/issue-credential.ts';
import type { OrganizationRole, Records } from '../../src/store/records.ts';
import type { Store } from '../../src/store/store.ts';
import { type ApiTestServer, startApiTestServer } from './api-server.ts';
import type { Engine } from './databases.ts';

/**
 * Seeds records and credentials straight into a store, for API tests that need principals of every
 * kind without going through the methods under test.
 */

export async function seedOrganization(store: Store, clock: Clock, name = 'Org') {
  return store.organizations.insert({
    id: randomUUID(),
    name,
    oidcConfig: { version: 'v3', extraSubFields: [] },
    createdAt: clock.now(),
  });
}

const seedToken = (
  store: Store,
  clock: Clock,
  principalKind: NewCredential['principalKind'],
  principal: { id: string; organizationId: string },
) =>
  issueCredential(store, clock, {
    principalKind,
    principalId: principal.id,
    organizationId: principal.organizationId,
    description: 'seeded',
  });

/** A user who is `role` in `organizationId`, with a personal access token bound to it. */
export async function seedUser(store: Store, clock: Clock, organizationId: string, role: OrganizationRole) {
  const id = randomUUID();
  const user = await store.users.insert({
    id,
    email: `${role}-${id.slice(0, 8)}@example.com`,
    name: `${role} ${id.slice(0, 8)}`,
    emailVerified: true,
    createdAt: clock.now(),
  });
  await store.memberships.insert({
    id: randomUUID(),
    organizationId,
    userId: id,
    role,
    createdAt: clock.now(),
  });
  const { secret, credential } = await seedToken(store, clock, 'user', { id, organizationId });
  return { user, token: secret, credential };
}

export async function seedServiceAccount(store: Store, clock: Clock, organizationId: string) {
  const serviceAccount = await store.serviceAccounts.insert({
    id: randomUUID(),
    organizationId,
    name: 'bot',
    createdAt: clock.now(),
  });
  return { serviceAccount, token: (await seedToken(store, clock, 'service_account', serviceAccount)).secret };
}

export async function seedRunner(store: Store, clock: Clock, organizationId: string) {
  const runner = await store.runners.insert({
    id: randomUUID(),
    organizationId,
    name: 'runner',
    createdAt: clock.now(),
  });
  return { runner, token: (await seedToken(store, clock, 'runner', runner)).secret };
}

/** A running environment created by user `creatorId`, with its access token. */
export async function seedEnvironment(
  store: Store,
  clock: Clock,
  organizationId: string,
  runnerId: string,
  creatorId: string,
) {
  const environment = await store.environments.insert({
    id: randomUUID(),
    organizationId,
    runnerId,
    creatorId,
    creatorPrincipal: 'user',
    initializers: [],
    status: 'running',
    createdAt: clock.now(),
  });
  return { environment, token: (await seedToken(store, clock, 'environment', environment)).secret };
}

/** One organization with a principal of every kind. */
export async function seedOrganizationWithPrincipals(store: Store, clock: Clock, name = 'Org') {
  const organization = await seedOrganization(store, clock, name);
  const admin = await seedUser(store, clock, organization.id, 'admin');
  const member = await seedUser(store, clock, organization.id, 'member');
  const serviceAccount = await seedServiceAccount(store, clock, organization.id);
  const runner = await seedRunner(store, clock, organization.id);
  const environment = await seedEnvironment(store, clock, organization.id, runner.runner.id, member.user.id);
  return { organization, admin, member, serviceAccount, runner, environment };
}

export type SeededOrganization = Awaited<ReturnType<typeof seedOrganizationWithPrincipals>>;

/** An API test server with two seeded organizations: `a`, the one under test, and `b`, another. */
export async function startSeededApiServer(
  engine: Engine,
): Promise<{ server: ApiTestServer; a: SeededOrganization; b: SeededOrganization }> {
  const server = await startApiTestServer(engine);
  const a = await seedOrganizationWithPrincipals(server.store, server.clock, 'A');
  const b = await seedOrganizationWithPrincipals(server.store, server.clock, 'B');
  return { server, a, b };
}

/** Every principal kind, named by what it is to organization `a`. */
export type PrincipalRole =
  | 'installationAdmin'
  | 'orgAdmin'
  | 'orgMember'
  | 'otherOrgUser'
  | 'serviceAccount'
  | 'runner'
  | 'environment';

export function tokensByRole(server: ApiTestServer, a: SeededOrganization, b: SeededOrganization) {
  return {
    installationAdmin: server.adminToken,
    orgAdmin: a.admin.token,
    orgMember: a.member.token,
    otherOrgUser: b.admin.token,
    serviceAccount: a.serviceAccount.token,
    runner: a.runner.token,
    environment: a.environment.token,
  } satisfies Record<PrincipalRole, string>;
}

/** The HTTP status of a read that only the installation admin and `a`'s users may make. */
export const readableByOrganizationUsers: Record<PrincipalRole, number> = {
  installationAdmin: 200,
  orgAdmin: 200,
  orgMember: 200,
  otherOrgUser: 404,
  serviceAccount: 404,
  runner: 404,
  environment: 404,
};

/** The HTTP status of a change that only the installation admin and `a`'s admins may make. */
export const administrableByOrganizationAdmins: Record<PrincipalRole, number> = {
  ...readableByOrganizationUsers,
  orgMember: 403,
};

/** How many records a collection holds (for "nothing was written" checks on small test stores). */
export async function countRecords(store: Store, collection: keyof Records): Promise<number> {
  return (await store[collection].list({}, { pageSize: 100 })).items.length;
}

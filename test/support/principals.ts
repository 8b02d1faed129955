import { randomUUID } from 'node:crypto';
import type { Clock } from '../../src/core/clock.ts';
import { issueCredential } from '../../src/server/credentials/issue-credential.ts';
import type { OrganizationRole } from '../../src/store/records.ts';
import type { Store } from '../../src/store/store.ts';

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

/** A user who is `role` in `organizationId`, with a personal access token bound to it. */
export async function seedUser(store: Store, clock: Clock, organizationId: string, role: OrganizationRole) {
  const id = randomUUID();
  const user = await store.users.insert({
    id,
    email: `${role}-${id.slice(0, 8)}@example.com`,
    name: `${role} ${id.slice(0, 8)}`,
    createdAt: clock.now(),
  });
  await store.memberships.insert({
    id: randomUUID(),
    organizationId,
    userId: id,
    role,
    createdAt: clock.now(),
  });
  const { secret, credential } = await issueCredential(store, clock, {
    principalKind: 'user',
    principalId: id,
    organizationId,
    description: 'seeded',
  });
  return { user, token: secret, credential };
}

export async function seedServiceAccount(store: Store, clock: Clock, organizationId: string) {
  const serviceAccount = await store.serviceAccounts.insert({
    id: randomUUID(),
    organizationId,
    name: 'bot',
    createdAt: clock.now(),
  });
  const { secret } = await issueCredential(store, clock, {
    principalKind: 'service_account',
    principalId: serviceAccount.id,
    organizationId,
    description: 'seeded',
  });
  return { serviceAccount, token: secret };
}

export async function seedRunner(store: Store, clock: Clock, organizationId: string) {
  const runner = await store.runners.insert({
    id: randomUUID(),
    organizationId,
    name: 'runner',
    createdAt: clock.now(),
  });
  const { secret } = await issueCredential(store, clock, {
    principalKind: 'runner',
    principalId: runner.id,
    organizationId,
    description: 'seeded',
  });
  return { runner, token: secret };
}

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
  const { secret } = await issueCredential(store, clock, {
    principalKind: 'environment',
    principalId: environment.id,
    organizationId,
    description: 'seeded',
  });
  return { environment, token: secret };
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

import type { Clock } from '../../src/core/clock.ts';
import { newId } from '../../src/core/ids.ts';
import { issueCredential } from '../../src/server/credentials/issue-credential.ts';
import type { OrganizationRole } from '../../src/store/records.ts';
import type { Store } from '../../src/store/store.ts';

/** A principal and the secret it authenticates with. */
export interface Principal {
  id: string;
  token: string;
}

export interface OrganizationFixture {
  id: string;
  admin: Principal;
  member: Principal;
  serviceAccount: Principal;
}

/** A user with a membership in `organizationId` and a personal access token bound to it. */
export async function createUser(
  store: Store,
  clock: Clock,
  organizationId: string,
  role: OrganizationRole,
): Promise<Principal> {
  const id = newId();
  await store.users.insert({ id, email: `${id}@example.com`, name: `user ${role}`, createdAt: clock.now() });
  await store.memberships.insert({ id: newId(), organizationId, userId: id, role, createdAt: clock.now() });
  const { secret } = await issueCredential(store, clock, {
    principalKind: 'user',
    principalId: id,
    organizationId,
    description: 'test token',
  });
  return { id, token: secret };
}

/** An organization with an admin, a member and a service account, each with a credential. */
export async function createOrganizationFixture(store: Store, clock: Clock): Promise<OrganizationFixture> {
  const id = newId();
  await store.organizations.insert({
    id,
    name: `org ${id.slice(0, 8)}`,
    oidcConfig: { version: 'v3', extraSubFields: [] },
    createdAt: clock.now(),
  });
  const admin = await createUser(store, clock, id, 'admin');
  const member = await createUser(store, clock, id, 'member');
  const serviceAccountId = newId();
  await store.serviceAccounts.insert({
    id: serviceAccountId,
    organizationId: id,
    name: 'ci',
    createdAt: clock.now(),
  });
  const { secret } = await issueCredential(store, clock, {
    principalKind: 'service_account',
    principalId: serviceAccountId,
    organizationId: id,
    description: 'test token',
  });
  return { id, admin, member, serviceAccount: { id: serviceAccountId, token: secret } };
}

/** A runner of `organizationId` with an access token. */
export async function createRunnerFixture(
  store: Store,
  clock: Clock,
  organizationId: string,
): Promise<Principal> {
  const id = newId();
  await store.runners.insert({ id, organizationId, name: 'runner', createdAt: clock.now() });
  const { secret } = await issueCredential(store, clock, {
    principalKind: 'runner',
    principalId: id,
    organizationId,
    description: 'test token',
  });
  return { id, token: secret };
}

/** Asserts a Connect error: its HTTP status, code, and (part of) its message. */
export function expectApiError(
  response: { status: number; body: any },
  status: number,
  code: string,
  message?: string | RegExp,
): void {
  const body = response.body as { code?: string; message?: string } | undefined;
  const problem = `expected ${status} ${code}, got ${response.status} ${JSON.stringify(body)}`;
  if (response.status !== status || body?.code !== code) throw new Error(problem);
  if (
    message instanceof RegExp
      ? !message.test(body.message ?? '')
      : message && !body.message?.includes(message)
  ) {
    throw new Error(`${problem}: message does not match ${String(message)}`);
  }
}

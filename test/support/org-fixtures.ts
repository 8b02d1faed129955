import type { Clock } from '../../src/core/clock.ts';
import type { Store } from '../../src/store/store.ts';
import { seedOrganization, seedRunner, seedServiceAccount, seedUser } from './principals.ts';

/**
 * The shapes the project, runner and environment API tests use, built on the shared seeding helpers
 * of principals.ts.
 */

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

/** An organization with an admin, a member and a service account, each with a credential. */
export async function createOrganizationFixture(store: Store, clock: Clock): Promise<OrganizationFixture> {
  const { id } = await seedOrganization(store, clock);
  const admin = await seedUser(store, clock, id, 'admin');
  const member = await seedUser(store, clock, id, 'member');
  const serviceAccount = await seedServiceAccount(store, clock, id);
  return {
    id,
    admin: { id: admin.user.id, token: admin.token },
    member: { id: member.user.id, token: member.token },
    serviceAccount: { id: serviceAccount.serviceAccount.id, token: serviceAccount.token },
  };
}

/** A runner of `organizationId` with an access token. */
export async function createRunnerFixture(
  store: Store,
  clock: Clock,
  organizationId: string,
): Promise<Principal> {
  const { runner, token } = await seedRunner(store, clock, organizationId);
  return { id: runner.id, token };
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

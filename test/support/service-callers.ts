import { randomUUID } from 'node:crypto';
import { ManualClock } from '../../src/core/clock.ts';
import type { ServiceContext } from '../../src/services/context.ts';
import type { AuthenticatedPrincipal, Principal } from '../../src/services/principal.ts';
import type { Store } from '../../src/store/store.ts';
import type { Engine } from './databases.ts';
import { openTestStore } from './databases.ts';
import { type SeededOrganization, seedOrganizationWithPrincipals } from './principals.ts';

/** The callers of one seeded organization, as the services see them. */
export function callersOf(org: SeededOrganization) {
  const organizationId = org.organization.id;
  const user = (seeded: SeededOrganization['admin'], role: 'admin' | 'member'): Principal => ({
    kind: 'user',
    id: seeded.user.id,
    organizationId,
    role,
    credentialId: seeded.credential.id,
  });
  const machine = <K extends 'service_account' | 'runner' | 'environment'>(kind: K, id: string) =>
    ({ kind, id, organizationId, credentialId: randomUUID() }) as Principal;
  return {
    admin: user(org.admin, 'admin'),
    member: user(org.member, 'member'),
    serviceAccount: machine('service_account', org.serviceAccount.serviceAccount.id),
    runner: machine('runner', org.runner.runner.id),
    environment: machine('environment', org.environment.environment.id),
  };
}

export const installationAdmin: Principal = { kind: 'installation_admin', credentialId: randomUUID() };

/**
 * A real store with two seeded organizations: `a`, the one under test, and `b`, another. `as(principal)`
 * is the context a service call gets.
 */
export async function openServiceFixture(engine: Engine) {
  const { store, dispose } = await openTestStore(engine);
  const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
  const a = await seedOrganizationWithPrincipals(store, clock, 'A');
  const b = await seedOrganizationWithPrincipals(store, clock, 'B');
  const as = <P extends AuthenticatedPrincipal>(principal: P): ServiceContext<P> => ({
    store,
    clock,
    principal,
  });
  return { store: store as Store, clock, a, b, callers: { a: callersOf(a), b: callersOf(b) }, as, dispose };
}

export type ServiceFixture = Awaited<ReturnType<typeof openServiceFixture>>;

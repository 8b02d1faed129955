import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as invites from '../../src/services/invites.ts';
import type { AccountPrincipal } from '../../src/services/principal.ts';
import { engines } from '../support/databases.ts';
import { seedOrganization, seedUser } from '../support/principals.ts';
import { installationAdmin, openServiceFixture, type ServiceFixture } from '../support/service-callers.ts';
import { expectRefusedLikeUnknown, refused } from '../support/service-refusals.ts';

/** Who may create and read an organization's invite, and what an invite's holder learns. */

const week = 7 * 24 * 60 * 60 * 1000;

for (const engine of engines) {
  describe(`invite service (${engine})`, () => {
    let f: ServiceFixture;
    beforeAll(async () => {
      f = await openServiceFixture(engine);
    });
    afterAll(() => f?.dispose());

    const account = (): AccountPrincipal => ({
      kind: 'account',
      id: randomUUID(),
      credentialId: randomUUID(),
    });

    it('Get makes the one live invite and answers it again; Create replaces it; admins and the installation admin alike', async () => {
      const organization = await seedOrganization(f.store, f.clock, 'Invites');
      const admin = await seedUser(f.store, f.clock, organization.id, 'admin');
      const caller = { ...f.callers.a.admin, id: admin.user.id, organizationId: organization.id };
      const got = await invites.getOrganizationInvite(f.as(caller), organization.id);
      expect(got).toMatchObject({
        organizationId: organization.id,
        expiresAt: new Date(f.clock.now().getTime() + week),
      });
      await expect(invites.getOrganizationInvite(f.as(installationAdmin), organization.id)).resolves.toEqual(
        got,
      );
      const created = await invites.createOrganizationInvite(f.as(installationAdmin), organization.id);
      expect(created.id).not.toBe(got.id);
      await expect(invites.getOrganizationInvite(f.as(caller), organization.id)).resolves.toEqual(created);
      const stored = await f.store.organizationInvites.list({ organizationId: organization.id });
      expect(stored.items.map((invite) => invite.id)).toEqual([created.id]);
    });

    it('members are refused; another organization and machine credentials get not_found, as for an unknown ID', async () => {
      const organizationId = f.a.organization.id;
      for (const call of [invites.createOrganizationInvite, invites.getOrganizationInvite]) {
        await expect(call(f.as(f.callers.a.member), organizationId)).rejects.toEqual(
          refused('permission_denied'),
        );
        const others = [
          f.callers.b.admin,
          f.callers.a.serviceAccount,
          f.callers.a.runner,
          f.callers.a.environment,
        ];
        for (const caller of others) {
          await expectRefusedLikeUnknown((id) => call(f.as(caller), id), organizationId);
        }
      }
      expect(await f.store.organizationInvites.findOne({ organizationId })).toBeUndefined();
    });

    it('the summary names the organization to any user and the installation admin; machines get nothing', async () => {
      const invite = await invites.createOrganizationInvite(f.as(f.callers.a.admin), f.a.organization.id);
      for (const caller of [f.callers.b.member, f.callers.a.member, account(), installationAdmin]) {
        await expect(invites.getOrganizationInviteSummary(f.as(caller), invite.id)).resolves.toMatchObject({
          id: f.a.organization.id,
          name: 'A',
        });
      }
      for (const caller of [f.callers.b.serviceAccount, f.callers.b.runner, f.callers.b.environment]) {
        await expect(invites.getOrganizationInviteSummary(f.as(caller), invite.id)).rejects.toEqual(
          refused('permission_denied', /joins no organization/),
        );
      }
    });

    it('an expired, replaced or unknown invite answers one not_found that never repeats the ID; Get then makes a new one', async () => {
      const organizationId = f.a.organization.id;
      const replaced = await invites.createOrganizationInvite(f.as(f.callers.a.admin), organizationId);
      const live = await invites.createOrganizationInvite(f.as(f.callers.a.admin), organizationId);
      const summary = (id: string) => () => invites.getOrganizationInviteSummary(f.as(account()), id);
      const unknown = await summary(randomUUID())().catch((error: unknown) => error);
      expect(unknown).toEqual(
        refused('not_found', /^invite not found: it may have expired or been replaced/),
      );
      await expect(summary(replaced.id)()).rejects.toEqual(unknown);
      f.clock.advance(week);
      try {
        // One answer for all three, and it never repeats the ID.
        await expect(summary(live.id)()).rejects.toEqual(unknown);
        const renewed = await invites.getOrganizationInvite(f.as(f.callers.a.admin), organizationId);
        expect(renewed.id).not.toBe(live.id);
        await expect(summary(renewed.id)()).resolves.toMatchObject({ id: organizationId });
      } finally {
        f.clock.advance(-week);
      }
    });
  });
}

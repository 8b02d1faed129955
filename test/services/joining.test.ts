import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as invites from '../../src/services/invites.ts';
import * as joining from '../../src/services/joining.ts';
import * as organizations from '../../src/services/organizations.ts';
import type { AccountPrincipal, Principal } from '../../src/services/principal.ts';
import { engines } from '../support/databases.ts';
import { seedOrganization, seedUser } from '../support/principals.ts';
import { installationAdmin, openServiceFixture, type ServiceFixture } from '../support/service-callers.ts';
import { expectRefusedLikeUnknown, refused } from '../support/service-refusals.ts';

/** Who may join an organization (by invite or e-mail domain) and leave one, asked of the service. */

const week = 7 * 24 * 60 * 60 * 1000;

for (const engine of engines) {
  describe(`joining service (${engine})`, () => {
    let f: ServiceFixture;
    beforeAll(async () => {
      f = await openServiceFixture(engine);
    });
    afterAll(() => f?.dispose());

    /** A user in no organization, acting with an account-level token. */
    async function newAccount(email = `${randomUUID().slice(0, 8)}@example.com`, emailVerified = true) {
      const user = await f.store.users.insert({
        id: randomUUID(),
        email,
        name: 'New',
        emailVerified,
        createdAt: f.clock.now(),
      });
      const principal: AccountPrincipal = { kind: 'account', id: user.id, credentialId: randomUUID() };
      return { user, principal };
    }
    /** A seeded user of `organizationId`, as its token of that organization authenticates it. */
    async function newUser(organizationId: string, role: 'admin' | 'member' = 'member') {
      const seeded = await seedUser(f.store, f.clock, organizationId, role);
      const principal: Principal = {
        kind: 'user',
        id: seeded.user.id,
        organizationId,
        role,
        credentialId: seeded.credential.id,
      };
      return { ...seeded, principal };
    }
    const membership = (organizationId: string, userId: string) =>
      f.store.memberships.findOne({ organizationId, userId });
    const newInvite = async (organizationId = f.a.organization.id) =>
      (await invites.createOrganizationInvite(f.as(installationAdmin), organizationId)).id;

    describe('JoinOrganization', () => {
      it('by invite: a user in no organization joins as a member, once', async () => {
        const inviteId = await newInvite();
        const ada = await newAccount();
        const joined = await joining.joinOrganization(f.as(ada.principal), { inviteId });
        expect(joined).toEqual({
          user: ada.user,
          membership: expect.objectContaining({
            organizationId: f.a.organization.id,
            userId: ada.user.id,
            role: 'member',
            createdAt: f.clock.now(),
          }),
        });
        await expect(joining.joinOrganization(f.as(ada.principal), { inviteId })).rejects.toEqual(
          refused('already_exists', /already a member/),
        );
      });

      it('by invite with a token of another organization: the user’s own act, it joins', async () => {
        const inviteId = await newInvite();
        const bob = await newUser(f.b.organization.id);
        await joining.joinOrganization(f.as(bob.principal), { inviteId });
        expect((await membership(f.a.organization.id, bob.user.id))?.role).toBe('member');
      });

      it('a replaced or expired invite admits nobody, with the answer of an unknown one', async () => {
        const old = await newInvite();
        const live = await newInvite();
        const late = await newAccount();
        const join = (inviteId: string) => () => joining.joinOrganization(f.as(late.principal), { inviteId });
        const unknown = await join(randomUUID())().catch((error: unknown) => error);
        expect(unknown).toEqual(refused('not_found', /^invite not found/));
        await expect(join(old)()).rejects.toEqual(unknown);
        f.clock.advance(week);
        try {
          await expect(join(live)()).rejects.toEqual(unknown);
        } finally {
          f.clock.advance(-week);
        }
        expect(await membership(f.a.organization.id, late.user.id)).toBeUndefined();
      });

      it('by e-mail domain: a verified address at a listed domain joins; anything else is not_found, as an unknown ID', async () => {
        const organization = await seedOrganization(f.store, f.clock, 'Domains');
        const organizationId = organization.id;
        await organizations.updateOrganization(f.as(installationAdmin), organizationId, {
          inviteDomains: ['domains.example'],
        });
        const grace = await newAccount('grace@domains.example');
        await joining.joinOrganization(f.as(grace.principal), { organizationId });
        expect(await membership(organizationId, grace.user.id)).toBeDefined();
        await expect(joining.joinOrganization(f.as(grace.principal), { organizationId })).rejects.toEqual(
          refused('already_exists'),
        );
        // A subdomain, a look-alike and another domain: exactly like an organization that does not exist.
        for (const email of ['x@eu.domains.example', 'x@domains.example.com', 'x@example.com']) {
          const outsider = await newAccount(email);
          await expectRefusedLikeUnknown(
            (id) => joining.joinOrganization(f.as(outsider.principal), { organizationId: id }),
            organizationId,
          );
          expect(await membership(organizationId, outsider.user.id)).toBeUndefined();
        }
        const unverified = await newAccount('unverified@domains.example', false);
        await expect(
          joining.joinOrganization(f.as(unverified.principal), { organizationId }),
        ).rejects.toEqual(refused('failed_precondition', /not verified/));
        expect(await membership(organizationId, unverified.user.id)).toBeUndefined();
      });

      it('refuses the installation admin, machine credentials and requests naming both or neither', async () => {
        const inviteId = await newInvite();
        const account = await newAccount();
        await expect(
          joining.joinOrganization(f.as(account.principal), {
            inviteId,
            organizationId: f.a.organization.id,
          }),
        ).rejects.toEqual(
          refused('invalid_argument', /^inviteId: give inviteId or organizationId, not both/),
        );
        await expect(joining.joinOrganization(f.as(account.principal), {})).rejects.toEqual(
          refused('invalid_argument', /^inviteId: is required/),
        );
        await expect(joining.joinOrganization(f.as(installationAdmin), { inviteId })).rejects.toEqual(
          refused('permission_denied', /AddMember/),
        );
        for (const caller of [f.callers.b.serviceAccount, f.callers.b.runner, f.callers.b.environment]) {
          await expect(joining.joinOrganization(f.as(caller), { inviteId })).rejects.toEqual(
            refused('permission_denied', /^only a user may join organizations/),
          );
        }
        expect(await membership(f.a.organization.id, account.user.id)).toBeUndefined();
      });
    });

    describe('LeaveOrganization', () => {
      it('a member leaves with a token of the organization; its tokens for that organization are revoked', async () => {
        const leaver = await newUser(f.a.organization.id);
        await joining.leaveOrganization(f.as(leaver.principal), { userId: leaver.user.id });
        expect(await membership(f.a.organization.id, leaver.user.id)).toBeUndefined();
        expect((await f.store.credentials.get(leaver.credential.id)).revokedAt).toEqual(f.clock.now());
      });

      it('an account-level token names the organization; one the user is not in is not_found, as an unknown ID', async () => {
        const account = await newAccount();
        await joining.joinOrganization(f.as(account.principal), {
          inviteId: await newInvite(f.b.organization.id),
        });
        const userId = account.user.id;
        await expect(joining.leaveOrganization(f.as(account.principal), { userId })).rejects.toEqual(
          refused('invalid_argument', /^organizationId: is required for an account-level token/),
        );
        await expectRefusedLikeUnknown(
          (organizationId) => joining.leaveOrganization(f.as(account.principal), { userId, organizationId }),
          f.a.organization.id,
        );
        await joining.leaveOrganization(f.as(account.principal), {
          userId,
          organizationId: f.b.organization.id,
        });
        expect(await membership(f.b.organization.id, userId)).toBeUndefined();
      });

      it('a token of one organization leaves only that one', async () => {
        const carol = await newUser(f.b.organization.id);
        await joining.joinOrganization(f.as(carol.principal), { inviteId: await newInvite() });
        const userId = carol.user.id;
        await expectRefusedLikeUnknown(
          (organizationId) => joining.leaveOrganization(f.as(carol.principal), { userId, organizationId }),
          f.a.organization.id,
        );
        expect(await membership(f.a.organization.id, userId)).toBeDefined();
      });

      it('keeps the last admin in, and lets a user leave only by itself, refusing anyone else’s ID before any lookup', async () => {
        const organization = await seedOrganization(f.store, f.clock, 'Solo');
        const solo = await newUser(organization.id, 'admin');
        await expect(
          joining.leaveOrganization(f.as(solo.principal), { userId: solo.user.id }),
        ).rejects.toEqual(refused('failed_precondition', /last admin/));
        expect((await membership(organization.id, solo.user.id))?.role).toBe('admin');
        const second = await newUser(organization.id, 'admin');
        await joining.leaveOrganization(f.as(solo.principal), { userId: solo.user.id });
        expect(await membership(organization.id, solo.user.id)).toBeUndefined();
        for (const userId of [solo.user.id, f.a.member.user.id, randomUUID()]) {
          await expect(joining.leaveOrganization(f.as(second.principal), { userId })).rejects.toEqual(
            expect.objectContaining({
              code: 'permission_denied',
              message:
                'a user leaves only by itself: userId must be its own (an admin removes members with OrganizationService/RemoveMember)',
            }),
          );
        }
      });

      it('refuses the installation admin and machine credentials, changing nothing', async () => {
        const target = { userId: f.a.member.user.id, organizationId: f.a.organization.id };
        await expect(joining.leaveOrganization(f.as(installationAdmin), target)).rejects.toEqual(
          refused('permission_denied', /RemoveMember/),
        );
        for (const caller of [f.callers.a.serviceAccount, f.callers.a.runner, f.callers.a.environment]) {
          await expect(
            joining.leaveOrganization(f.as(caller), { userId: f.a.member.user.id }),
          ).rejects.toEqual(refused('permission_denied', /^only a user may leave organizations/));
        }
        expect(await membership(f.a.organization.id, f.a.member.user.id)).toBeDefined();
      });
    });

    it('the e-mail domain is the part after the last @, in lower case', () => {
      expect(joining.emailDomain('Ada@Acme.Example')).toBe('acme.example');
      expect(joining.emailDomain('"a@b"@c.example')).toBe('c.example');
    });
  });
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as members from '../../src/services/members.ts';
import * as organizations from '../../src/services/organizations.ts';
import { engines } from '../support/databases.ts';
import { seedUser } from '../support/principals.ts';
import { installationAdmin, openServiceFixture, type ServiceFixture } from '../support/service-callers.ts';

/** Who may read and change organizations and their members, asked of the services directly. */

const refused = (code: string, message?: RegExp) =>
  expect.objectContaining({ code, ...(message ? { message: expect.stringMatching(message) } : {}) });

for (const engine of engines) {
  describe(`organization and member services (${engine})`, () => {
    let f: ServiceFixture;
    beforeAll(async () => {
      f = await openServiceFixture(engine);
    });
    afterAll(() => f?.dispose());

    describe('organizations', () => {
      it('its users read their own; another organization and a machine credential get not_found', async () => {
        const id = f.a.organization.id;
        for (const caller of [f.callers.a.admin, f.callers.a.member, installationAdmin]) {
          await expect(organizations.getOrganization(f.as(caller), id)).resolves.toMatchObject({ id });
        }
        for (const caller of [f.callers.b.admin, f.callers.b.member, f.callers.a.serviceAccount]) {
          await expect(organizations.getOrganization(f.as(caller), id)).rejects.toEqual(
            refused('not_found', /organization/),
          );
        }
      });

      it('only the installation admin creates and deletes organizations', async () => {
        await expect(
          organizations.createOrganization(f.as(f.callers.a.admin), { name: 'Mine' }),
        ).rejects.toEqual(refused('permission_denied'));
        const created = await organizations.createOrganization(f.as(installationAdmin), { name: 'New' });
        expect(created).toMatchObject({ name: 'New', createdAt: f.clock.now() });
        await expect(organizations.deleteOrganization(f.as(f.callers.a.admin), created.id)).rejects.toEqual(
          refused('permission_denied'),
        );
        await organizations.deleteOrganization(f.as(installationAdmin), created.id);
        expect(await f.store.organizations.find(created.id)).toBeUndefined();
        await expect(organizations.deleteOrganization(f.as(installationAdmin), created.id)).rejects.toEqual(
          refused('not_found'),
        );
      });

      it('an admin updates its own; a member is refused; another organization gets not_found', async () => {
        const id = f.a.organization.id;
        await expect(
          organizations.updateOrganization(f.as(f.callers.a.member), id, { name: 'Renamed' }),
        ).rejects.toEqual(refused('permission_denied'));
        await expect(
          organizations.updateOrganization(f.as(f.callers.b.admin), id, { name: 'Renamed' }),
        ).rejects.toEqual(refused('not_found'));
        expect((await f.store.organizations.get(id)).name).toBe('A');
        const updated = await organizations.updateOrganization(f.as(f.callers.a.admin), id, {
          inviteDomains: ['a.example'],
        });
        expect(updated).toMatchObject({ name: 'A', inviteDomains: ['a.example'] });
        const cleared = await organizations.updateOrganization(f.as(f.callers.a.admin), id, {
          inviteDomains: [],
        });
        expect(cleared.inviteDomains).toBeUndefined();
      });

      it('a user lists its one organization, the installation admin all, a machine credential none', async () => {
        const mine = await organizations.listOrganizations(f.as(f.callers.a.member), {});
        expect(mine.items.map((o) => o.id)).toEqual([f.a.organization.id]);
        const all = await organizations.listOrganizations(f.as(installationAdmin), { pageSize: 100 });
        expect(all.items.map((o) => o.id)).toEqual(
          expect.arrayContaining([f.a.organization.id, f.b.organization.id]),
        );
        const account = { kind: 'account', id: f.b.member.user.id, credentialId: 'c' } as const;
        const joined = await organizations.listOrganizations(f.as(account), {});
        expect(joined.items.map((o) => o.id)).toEqual([f.b.organization.id]);
        await expect(organizations.listOrganizations(f.as(f.callers.a.runner), {})).rejects.toEqual(
          refused('permission_denied'),
        );
      });
    });

    describe('members', () => {
      const target = (userId: string) => ({ organizationId: f.a.organization.id, userId });

      it('members read the member list; another organization gets not_found', async () => {
        const page = await members.listMembers(f.as(f.callers.a.member), f.a.organization.id, {});
        expect(page.items.map((m) => m.user.id).sort()).toEqual(
          [f.a.admin.user.id, f.a.member.user.id].sort(),
        );
        await expect(members.listMembers(f.as(f.callers.b.admin), f.a.organization.id, {})).rejects.toEqual(
          refused('not_found'),
        );
      });

      it('only the installation admin adds a user by ID; an organization admin reaches no outsider', async () => {
        const outsider = f.b.member.user.id;
        await expect(members.addMember(f.as(f.callers.a.admin), target(outsider))).rejects.toEqual(
          refused('not_found', /only the installation admin adds a user by ID/),
        );
        await expect(members.addMember(f.as(f.callers.a.member), target(outsider))).rejects.toEqual(
          refused('permission_denied'),
        );
        const added = await members.addMember(f.as(installationAdmin), target(outsider));
        expect(added.membership).toMatchObject({ role: 'member', userId: outsider });
        await expect(members.addMember(f.as(installationAdmin), target(outsider))).rejects.toEqual(
          refused('already_exists'),
        );
        await members.removeMember(f.as(f.callers.a.admin), target(outsider));
        expect(await f.store.memberships.findOne(target(outsider))).toBeUndefined();
      });

      it('removing a member revokes its tokens for that organization', async () => {
        const { user, credential } = await seedUser(f.store, f.clock, f.a.organization.id, 'member');
        await members.removeMember(f.as(f.callers.a.admin), target(user.id));
        expect((await f.store.credentials.get(credential.id)).revokedAt).toEqual(f.clock.now());
      });

      it('an admin changes roles but never demotes the last admin; the installation admin may', async () => {
        const lastAdmin = target(f.a.admin.user.id);
        await expect(members.setRole(f.as(f.callers.a.admin), lastAdmin, 'member')).rejects.toEqual(
          refused('failed_precondition', /last admin/),
        );
        await expect(members.setRole(f.as(f.callers.a.member), lastAdmin, 'member')).rejects.toEqual(
          refused('permission_denied'),
        );
        await expect(members.setRole(f.as(f.callers.b.admin), lastAdmin, 'member')).rejects.toEqual(
          refused('not_found'),
        );
        await members.setRole(f.as(installationAdmin), lastAdmin, 'member');
        expect((await f.store.memberships.findOne(lastAdmin))?.role).toBe('member');
        await members.setRole(f.as(installationAdmin), lastAdmin, 'admin');
      });
    });
  });
}

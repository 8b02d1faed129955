import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as users from '../../src/services/users.ts';
import { engines } from '../support/databases.ts';
import { installationAdmin, openServiceFixture, type ServiceFixture } from '../support/service-callers.ts';

/** Who may read and manage users, asked of the service directly. */

const refused = (code: string, message?: RegExp) =>
  expect.objectContaining({ code, ...(message ? { message: expect.stringMatching(message) } : {}) });

for (const engine of engines) {
  describe(`user service (${engine})`, () => {
    let f: ServiceFixture;
    beforeAll(async () => {
      f = await openServiceFixture(engine);
    });
    afterAll(() => f?.dispose());

    it('a user sees itself and its organization’s members; nobody of another organization', async () => {
      const { admin, member } = f.callers.a;
      await expect(users.getUser(f.as(member), f.a.admin.user.id)).resolves.toMatchObject({
        id: f.a.admin.user.id,
      });
      await expect(users.getUser(f.as(admin), f.a.member.user.id)).resolves.toMatchObject({
        id: f.a.member.user.id,
      });
      await expect(users.getUser(f.as(admin), f.b.member.user.id)).rejects.toEqual(refused('not_found'));
      await expect(users.getUser(f.as(f.callers.a.serviceAccount), f.a.member.user.id)).rejects.toEqual(
        refused('not_found'),
      );
      await expect(users.getUser(f.as(installationAdmin), f.b.member.user.id)).resolves.toMatchObject({
        id: f.b.member.user.id,
      });
    });

    it('only the installation admin creates, lists and deletes users', async () => {
      const request = { email: 'new@example.com', name: 'New' };
      await expect(users.createUser(f.as(f.callers.a.admin), request)).rejects.toEqual(
        refused('permission_denied'),
      );
      await expect(users.listUsers(f.as(f.callers.a.admin), {})).rejects.toEqual(
        refused('permission_denied', /ListMembers/),
      );
      const created = await users.createUser(f.as(installationAdmin), request);
      expect(created).toMatchObject({ ...request, emailVerified: true });
      await expect(users.createUser(f.as(installationAdmin), request)).rejects.toEqual(
        refused('already_exists'),
      );
      await expect(users.deleteUser(f.as(f.callers.a.admin), created.id)).rejects.toEqual(
        refused('permission_denied'),
      );
      await users.deleteUser(f.as(installationAdmin), created.id);
      await expect(users.deleteUser(f.as(installationAdmin), created.id)).rejects.toEqual(
        refused('not_found'),
      );
    });

    it('deleting a user revokes its credentials', async () => {
      await users.deleteUser(f.as(installationAdmin), f.b.admin.user.id);
      expect((await f.store.credentials.get(f.b.admin.credential.id)).revokedAt).toEqual(f.clock.now());
    });

    it('the authenticated user: with its organization, none for an account-level token', async () => {
      await expect(users.getAuthenticatedUser(f.as(f.callers.a.member))).resolves.toEqual({
        user: f.a.member.user,
        organizationId: f.a.organization.id,
      });
      const account = { kind: 'account', id: f.a.member.user.id, credentialId: 'c' } as const;
      await expect(users.getAuthenticatedUser(f.as(account))).resolves.toEqual({ user: f.a.member.user });
      await expect(users.getAuthenticatedUser(f.as(f.callers.a.runner))).rejects.toEqual(
        refused('permission_denied'),
      );
    });
  });
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as serviceAccounts from '../../src/services/service-accounts.ts';
import { engines } from '../support/databases.ts';
import { installationAdmin, openServiceFixture, type ServiceFixture } from '../support/service-callers.ts';

/** Who may read and manage service accounts, asked of the service directly. */

const refused = (code: string, message?: RegExp) =>
  expect.objectContaining({ code, ...(message ? { message: expect.stringMatching(message) } : {}) });

for (const engine of engines) {
  describe(`service account service (${engine})`, () => {
    let f: ServiceFixture;
    beforeAll(async () => {
      f = await openServiceFixture(engine);
    });
    afterAll(() => f?.dispose());

    it('an admin creates one in its organization; a member is refused; the installation admin names one', async () => {
      const created = await serviceAccounts.createServiceAccount(f.as(f.callers.a.admin), { name: 'ci' });
      expect(created).toMatchObject({ name: 'ci', organizationId: f.a.organization.id });
      await expect(
        serviceAccounts.createServiceAccount(f.as(f.callers.a.member), { name: 'ci' }),
      ).rejects.toEqual(refused('permission_denied'));
      await expect(
        serviceAccounts.createServiceAccount(f.as(f.callers.a.admin), {
          name: 'ci',
          organizationId: f.b.organization.id,
        }),
      ).rejects.toEqual(refused('not_found', /organization/));
      await expect(
        serviceAccounts.createServiceAccount(f.as(installationAdmin), { name: 'ci' }),
      ).rejects.toEqual(refused('invalid_argument', /^organizationId/));
      const named = await serviceAccounts.createServiceAccount(f.as(installationAdmin), {
        name: 'ci',
        organizationId: f.b.organization.id,
      });
      expect(named.organizationId).toBe(f.b.organization.id);
    });

    it('members and the account itself read it; another organization gets not_found', async () => {
      const id = f.a.serviceAccount.serviceAccount.id;
      for (const caller of [f.callers.a.member, f.callers.a.serviceAccount, installationAdmin]) {
        await expect(serviceAccounts.getServiceAccount(f.as(caller), id)).resolves.toMatchObject({ id });
      }
      for (const caller of [f.callers.b.admin, f.callers.a.runner]) {
        await expect(serviceAccounts.getServiceAccount(f.as(caller), id)).rejects.toEqual(
          refused('not_found'),
        );
      }
    });

    it('a list shows the caller’s organization only; machine credentials may not list', async () => {
      const page = await serviceAccounts.listServiceAccounts(f.as(f.callers.a.member), undefined, {});
      expect(page.items.length).toBeGreaterThan(0);
      expect(page.items.every((s) => s.organizationId === f.a.organization.id)).toBe(true);
      await expect(
        serviceAccounts.listServiceAccounts(f.as(f.callers.a.member), f.b.organization.id, {}),
      ).rejects.toEqual(refused('not_found'));
      await expect(
        serviceAccounts.listServiceAccounts(f.as(f.callers.a.serviceAccount), undefined, {}),
      ).rejects.toEqual(refused('permission_denied'));
    });

    it('an admin deletes one, revoking its tokens; a member and another organization may not', async () => {
      const created = await serviceAccounts.createServiceAccount(f.as(f.callers.a.admin), { name: 'gone' });
      await expect(
        serviceAccounts.deleteServiceAccount(f.as(f.callers.a.member), created.id),
      ).rejects.toEqual(refused('permission_denied'));
      await expect(serviceAccounts.deleteServiceAccount(f.as(f.callers.b.admin), created.id)).rejects.toEqual(
        refused('not_found'),
      );
      await serviceAccounts.deleteServiceAccount(
        f.as(f.callers.a.admin),
        f.a.serviceAccount.serviceAccount.id,
      );
      const left = await f.store.credentials.list(
        { principalKind: 'service_account', principalId: f.a.serviceAccount.serviceAccount.id },
        {},
      );
      expect(left.items.length).toBeGreaterThan(0);
      expect(left.items.every((c) => c.revokedAt !== undefined)).toBe(true);
    });
  });
}

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as oidcConfig from '../../src/services/oidc-config.ts';
import type { OidcConfig } from '../../src/store/records.ts';
import { engines } from '../support/databases.ts';
import { installationAdmin, openServiceFixture, type ServiceFixture } from '../support/service-callers.ts';

/** Who may read, preview and change an organization's OIDC configuration, asked of the service directly. */

const refused = (code: string, message?: RegExp) =>
  expect.objectContaining({ code, ...(message ? { message: expect.stringMatching(message) } : {}) });
const defaults: OidcConfig = { version: 'v3', extraSubFields: [] };
// Adds the name to every user's, service account's and runner's sub: a change of existing subs.
const withName: OidcConfig = { version: 'v3', extraSubFields: ['name'] };

for (const engine of engines) {
  describe(`OIDC configuration service (${engine})`, () => {
    let f: ServiceFixture;
    let id: string;
    const stored = async () => (await f.store.organizations.get(id)).oidcConfig;
    const auditEvents = () =>
      f.store.auditEvents.select({ organizationId: id, kind: 'oidc_config.updated' }, ['actorId', 'details']);
    beforeAll(async () => {
      f = await openServiceFixture(engine);
      id = f.a.organization.id;
    });
    afterAll(() => f?.dispose());
    beforeEach(async () => {
      await f.store.organizations.update(id, (o) => ({ ...o, oidcConfig: defaults }));
    });

    it("the organization's users read it; another organization and a machine credential get not_found", async () => {
      for (const caller of [f.callers.a.admin, f.callers.a.member, installationAdmin]) {
        await expect(oidcConfig.getOidcConfig(f.as(caller), id)).resolves.toStrictEqual(defaults);
      }
      for (const caller of [f.callers.b.admin, f.callers.b.member, f.callers.a.serviceAccount]) {
        await expect(oidcConfig.getOidcConfig(f.as(caller), id)).rejects.toEqual(
          refused('not_found', /organization/),
        );
      }
    });

    it('admins preview a change, writing nothing; a member is refused, others get not_found', async () => {
      for (const caller of [f.callers.a.admin, installationAdmin]) {
        const preview = await oidcConfig.previewOidcConfig(f.as(caller), id, withName);
        expect(preview.organization.id).toBe(id);
        expect(preview.changes.count).toBeGreaterThan(0);
        expect(preview.changes.count).toBe(preview.subs.filter((s) => s.before !== s.sub).length);
        expect(preview.subs.map((s) => s.subject)).toStrictEqual(preview.subjects);
      }
      await expect(oidcConfig.previewOidcConfig(f.as(f.callers.a.member), id, withName)).rejects.toEqual(
        refused('permission_denied'),
      );
      for (const caller of [f.callers.b.admin, f.callers.a.runner, f.callers.a.environment]) {
        await expect(oidcConfig.previewOidcConfig(f.as(caller), id, withName)).rejects.toEqual(
          refused('not_found', /organization/),
        );
      }
      expect(await stored()).toStrictEqual(defaults);
    });

    it('an admin changes it only with confirmation when subs change, and each change is audited', async () => {
      const before = (await auditEvents()).length;
      await expect(oidcConfig.updateOidcConfig(f.as(f.callers.a.admin), id, withName, false)).rejects.toEqual(
        refused('failed_precondition', /alters the sub of \d+ existing principal/),
      );
      expect(await stored()).toStrictEqual(defaults);
      expect(await auditEvents()).toHaveLength(before);

      const applied = await oidcConfig.updateOidcConfig(f.as(f.callers.a.admin), id, withName, true);
      expect(await stored()).toStrictEqual(withName);
      const events = await auditEvents();
      expect(events).toHaveLength(before + 1);
      expect(events.at(-1)).toMatchObject({
        actorId: f.a.admin.user.id,
        details: {
          before: defaults,
          after: withName,
          subChanges: applied.changes.count,
          subChangeConfirmed: true,
        },
      });
      // Back to the defaults: a change of subs again; and one that changes none needs no confirmation.
      await oidcConfig.updateOidcConfig(f.as(installationAdmin), id, defaults, true);
      const unchanged = await oidcConfig.updateOidcConfig(f.as(f.callers.a.admin), id, defaults, false);
      expect(unchanged.changes.count).toBe(0);
      expect(await stored()).toStrictEqual(defaults);
    });

    it('a member is refused an update; another organization, a machine credential and an unknown ID get not_found', async () => {
      await expect(oidcConfig.updateOidcConfig(f.as(f.callers.a.member), id, withName, true)).rejects.toEqual(
        refused('permission_denied'),
      );
      for (const caller of [f.callers.b.admin, f.callers.a.serviceAccount]) {
        await expect(oidcConfig.updateOidcConfig(f.as(caller), id, withName, true)).rejects.toEqual(
          refused('not_found', /organization/),
        );
      }
      const unknown = '00000000-0000-4000-8000-00000000abcd';
      await expect(
        oidcConfig.updateOidcConfig(f.as(installationAdmin), unknown, withName, true),
      ).rejects.toEqual(refused('not_found', /organization/));
      expect(await stored()).toStrictEqual(defaults);
    });
  });
}

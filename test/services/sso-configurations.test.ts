import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMasterKey } from '../../src/core/keys/master-key.ts';
import * as sso from '../../src/services/sso-configurations.ts';
import { engines } from '../support/databases.ts';
import { installationAdmin, openServiceFixture, type ServiceFixture } from '../support/service-callers.ts';
import { expectRefusedLikeUnknown, refused } from '../support/service-refusals.ts';
import { startUpstream, type Upstream } from '../support/upstream-oidc.ts';

/** Who may manage and read an organization's SSO configurations (the SDK test covers the wire). */

for (const engine of engines) {
  describe(`SSO configuration service (${engine})`, () => {
    let f: ServiceFixture;
    let upstream: Upstream;
    const secrets: sso.SsoSecrets = { masterKey: generateMasterKey().key };
    const fields = (): sso.SsoConfigurationFields => ({
      issuerUrl: upstream.issuer,
      clientId: `client-${Math.random().toString(36).slice(2)}`,
      clientSecret: 'secret-value-0123',
      emailDomains: ['acme.example'],
      state: 'active',
      claims: {},
      additionalScopes: [],
      forwardedClaims: ['groups'],
      claimsExpression: '',
    });
    beforeAll(async () => {
      f = await openServiceFixture(engine);
      upstream = await startUpstream();
    });
    afterAll(async () => {
      await upstream?.close();
      await f?.dispose();
    });

    it('the installation admin manages any organization’s; the audit names it as the actor', async () => {
      const created = await sso.createSsoConfiguration(
        f.as(installationAdmin),
        secrets,
        f.a.organization.id,
        fields(),
      );
      expect(await sso.getSsoConfiguration(f.as(f.callers.a.member), created.id)).toEqual(created);
      await sso.deleteSsoConfiguration(f.as(installationAdmin), created.id);
      const events = await f.store.auditEvents.list({
        organizationId: f.a.organization.id,
        kind: 'sso_config.deleted',
      });
      expect(events.items).toEqual([
        expect.objectContaining({ actorKind: 'installation_admin', actorId: installationAdmin.credentialId }),
      ]);
    });

    it('machine credentials and another organization get not_found, as for an unknown ID; members may not change', async () => {
      const created = await sso.createSsoConfiguration(
        f.as(f.callers.a.admin),
        secrets,
        f.a.organization.id,
        fields(),
      );
      const outsiders = [
        f.callers.b.admin,
        f.callers.a.serviceAccount,
        f.callers.a.runner,
        f.callers.a.environment,
      ];
      for (const caller of outsiders) {
        await expectRefusedLikeUnknown((id) => sso.getSsoConfiguration(f.as(caller), id), created.id);
        await expectRefusedLikeUnknown((id) => sso.deleteSsoConfiguration(f.as(caller), id), created.id);
        await expectRefusedLikeUnknown(
          (id) => sso.updateSsoConfiguration(f.as(caller), secrets, id, { state: 'inactive' }),
          created.id,
        );
        await expectRefusedLikeUnknown(
          (id) => sso.listSsoConfigurations(f.as(caller), id, {}),
          f.a.organization.id,
        );
      }
      await expect(sso.deleteSsoConfiguration(f.as(f.callers.a.member), created.id)).rejects.toEqual(
        refused('permission_denied'),
      );
      await expect(
        sso.createSsoConfiguration(f.as(f.callers.a.member), secrets, f.a.organization.id, fields()),
      ).rejects.toEqual(refused('permission_denied'));
      expect((await f.store.ssoConfigurations.get(created.id)).state).toBe('active');
    });
  });
}

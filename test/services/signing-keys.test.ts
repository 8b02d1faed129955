import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyMaterial } from '../../src/core/keys/generate-key.ts';
import { generateMasterKey } from '../../src/core/keys/master-key.ts';
import { ChangeFeed } from '../../src/server/cache/change-feed.ts';
import { KeyManager } from '../../src/server/keys/key-manager.ts';
import * as signingKeys from '../../src/services/signing-keys.ts';
import { fixtureKeys } from '../support/api-server.ts';
import { engines } from '../support/databases.ts';
import { installationAdmin, openServiceFixture, type ServiceFixture } from '../support/service-callers.ts';
import { refused } from '../support/service-refusals.ts';

/**
 * Who may list, rotate and revoke the signing keys, asked of the service with the server's real key
 * manager (real RSA keys: the two fixtures, then generated ones).
 */

for (const engine of engines) {
  describe(`signing key service (${engine})`, () => {
    let f: ServiceFixture;
    let keys: KeyManager;
    beforeAll(async () => {
      f = await openServiceFixture(engine);
      const fixtures = fixtureKeys();
      keys = new KeyManager(f.store, f.clock, new ChangeFeed(f.store), {
        masterKey: generateMasterKey().key,
        generate: () => fixtures().catch(() => generateKeyMaterial()),
      });
      // Not started: the first reconcile makes the key set, and nothing is scheduled.
      await keys.reconcile({});
    });
    afterAll(() => f?.dispose());

    const states = async () => (await keys.list()).map((key) => key.state).sort();
    const organizationCallers = () => [
      f.callers.a.admin,
      f.callers.a.member,
      f.callers.a.serviceAccount,
      f.callers.a.runner,
      f.callers.a.environment,
    ];

    it('the installation admin lists them, current first; nobody of an organization may', async () => {
      const listed = await signingKeys.listSigningKeys(f.as(installationAdmin), keys);
      expect(listed.map((key) => key.state)).toEqual(['current', 'next']);
      for (const caller of organizationCallers()) {
        await expect(signingKeys.listSigningKeys(f.as(caller), keys)).rejects.toEqual(
          refused('permission_denied', /^only the installation admin may list signing keys/),
        );
      }
    });

    it('rotation waits until the next key has been published long enough, then promotes it, recording who', async () => {
      for (const caller of organizationCallers()) {
        await expect(signingKeys.rotateSigningKeys(f.as(caller), keys)).rejects.toEqual(
          refused('permission_denied', /rotate signing keys/),
        );
      }
      const early = await signingKeys.rotateSigningKeys(f.as(installationAdmin), keys);
      expect(early).toMatchObject({ rotated: false, decisions: [] });
      expect(early.keys.map((key) => key.state)).toEqual(['current', 'next']);

      const next = early.keys[1]!.id;
      f.clock.advance(11 * 60 * 1000);
      const rotated = await signingKeys.rotateSigningKeys(f.as(installationAdmin), keys);
      expect(rotated.rotated).toBe(true);
      expect(rotated.decisions).toContainEqual(expect.objectContaining({ action: 'promote', kid: next }));
      expect(rotated.keys.map((key) => key.state)).toEqual(['current', 'next', 'retired']);
      expect(rotated.keys[0]!.id).toBe(next);
      const events = await f.store.auditEvents.list({ kind: 'key.rotated' });
      expect(events.items.length).toBeGreaterThan(0);
      expect(events.items.every((event) => event.actorKind === 'installation_admin')).toBe(true);
    });

    it('revocation: the installation admin only, a known key only, never the only key', async () => {
      const before = await keys.list();
      const current = before.find((key) => key.state === 'current')!;
      for (const caller of organizationCallers()) {
        for (const keyId of [current.id, 'no-such-key']) {
          await expect(signingKeys.revokeSigningKey(f.as(caller), keys, keyId)).rejects.toEqual(
            refused('permission_denied', /revoke signing keys/),
          );
        }
      }
      await expect(
        signingKeys.revokeSigningKey(f.as(installationAdmin), keys, 'no-such-key'),
      ).rejects.toEqual(refused('not_found', /^signing key no-such-key not found/));
      expect(await keys.list()).toEqual(before);

      const revoked = await signingKeys.revokeSigningKey(f.as(installationAdmin), keys, current.id);
      expect(revoked.decisions).toContainEqual({ action: 'remove', kid: current.id, reason: 'revoked' });
      expect(revoked.keys.map((key) => key.id)).not.toContain(current.id);
      expect(revoked.keys[0]!.state).toBe('current');

      // Down to one key (as after a restore), revoking it would leave nothing to sign with.
      const [only, ...rest] = await keys.list();
      for (const key of rest) await f.store.signingKeys.delete(key.id);
      await expect(signingKeys.revokeSigningKey(f.as(installationAdmin), keys, only!.id)).rejects.toEqual(
        refused('failed_precondition', /the only signing key cannot be revoked/),
      );
      expect(await states()).toEqual([only!.state]);
    });
  });
}

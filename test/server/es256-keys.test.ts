import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyMaterial } from '../../src/core/keys/generate-key.ts';
import { generateMasterKey } from '../../src/core/keys/master-key.ts';
import { ChangeFeed } from '../../src/server/cache/change-feed.ts';
import { KeyManager } from '../../src/server/keys/key-manager.ts';
import * as signingKeys from '../../src/services/signing-keys.ts';
import { fixtureKeys } from '../support/api-server.ts';
import { engines } from '../support/databases.ts';
import { installationAdmin, openServiceFixture, type ServiceFixture } from '../support/service-callers.ts';

/**
 * ES256 keys beside RS256 with the server's real key manager on both engines: made only when asked
 * for, signing tokens jose verifies against the JWKS served, rotating on their own.
 */

for (const engine of engines) {
  describe(`ES256 signing keys (${engine})`, () => {
    let f: ServiceFixture;
    let keys: KeyManager;
    beforeAll(async () => {
      f = await openServiceFixture(engine);
      const fixtures = fixtureKeys();
      keys = new KeyManager(f.store, f.clock, new ChangeFeed(f.store), {
        masterKey: generateMasterKey().key,
        generate: () => fixtures().catch(() => generateKeyMaterial()),
      });
      await keys.reconcile({});
    });
    afterAll(() => f?.dispose());

    const byAlgorithm = async () => (await keys.list()).map((key) => `${key.algorithm}:${key.state}`).sort();
    const jwks = () => JSON.parse(keys.jwks().body) as { keys: Record<string, unknown>[] };

    it('an installation that never asks for ES256 has RS256 keys only and signs RS256', async () => {
      expect(await byAlgorithm()).toEqual(['RS256:current', 'RS256:next']);
      expect(jwks().keys.every((key) => key.alg === 'RS256' && key.kty === 'RSA')).toBe(true);
      expect(() => keys.signingKey('ES256')).toThrow(/no ES256 signing key is loaded/);
      const token = await keys.sign({ iss: 'https://envid.test', sub: 's' });
      const { protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks() as never));
      expect(protectedHeader.alg).toBe('RS256');
    });

    it('the first ES256 token creates its keys; jose verifies it against the JWKS, which lists both', async () => {
      const token = await keys.sign({ iss: 'https://envid.test', sub: 's', aud: 'a' }, 'ES256');
      expect(await byAlgorithm()).toEqual(['ES256:current', 'ES256:next', 'RS256:current', 'RS256:next']);
      const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks() as never), {
        algorithms: ['ES256'],
        audience: 'a',
      });
      expect(protectedHeader).toMatchObject({ alg: 'ES256', typ: 'JWT', kid: keys.signingKey('ES256').kid });
      expect(payload.sub).toBe('s');
      const ec = jwks().keys.filter((key) => key.kty === 'EC');
      expect(ec).toHaveLength(2);
      for (const key of ec) {
        expect(Object.keys(key).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
        expect(key).toMatchObject({ alg: 'ES256', crv: 'P-256', use: 'sig' });
      }
      const stored = (await keys.list()).filter((key) => key.algorithm === 'ES256');
      for (const key of stored) expect(key.encryptedPrivateKey).not.toContain('BEGIN');
    });

    it('rotating ES256 promotes its next key and leaves the RS256 keys alone', async () => {
      const before = await keys.list();
      const rsBefore = before.filter((key) => key.algorithm === 'RS256');
      const esNext = before.find((key) => key.algorithm === 'ES256' && key.state === 'next')!;
      f.clock.advance(11 * 60 * 1000);
      const rotated = await signingKeys.rotateSigningKeys(f.as(installationAdmin), keys, 'ES256');
      expect(rotated.rotated).toBe(true);
      expect(rotated.decisions).toContainEqual(
        expect.objectContaining({ action: 'promote', kid: esNext.id }),
      );
      expect(await byAlgorithm()).toEqual([
        'ES256:current',
        'ES256:next',
        'ES256:retired',
        'RS256:current',
        'RS256:next',
      ]);
      expect((await keys.list()).filter((key) => key.algorithm === 'RS256')).toEqual(rsBefore);
      expect(keys.signingKey('ES256').kid).toBe(esNext.id);
      const token = await keys.sign({ sub: 's' }, 'ES256');
      expect((await jwtVerify(token, createLocalJWKSet(jwks() as never))).protectedHeader.kid).toBe(
        esNext.id,
      );
    });

    it('the store refuses a second current key of the same algorithm', async () => {
      const current = (await keys.list()).find(
        (key) => key.algorithm === 'ES256' && key.state === 'current',
      )!;
      await expect(
        f.store.signingKeys.insertMany([{ ...current, id: 'another-es256-key' }]),
      ).rejects.toThrow();
      expect((await keys.list()).some((key) => key.id === 'another-es256-key')).toBe(false);
    });
  });
}

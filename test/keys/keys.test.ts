import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { calculateJwkThumbprint } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  generateKeyMaterial,
  generateKeyMaterialFor,
  keyMaterialFrom,
} from '../../src/core/keys/generate-key.ts';
import { buildJwks } from '../../src/core/keys/jwks.ts';
import type { PublicJwk } from '../../src/core/keys/public-jwk.ts';

const pem = readFileSync(new URL('../fixtures/signing-key-1.pem', import.meta.url), 'utf8');
const pem2 = readFileSync(new URL('../fixtures/signing-key-2.pem', import.meta.url), 'utf8');
const privateMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

describe('signing key material', () => {
  it('names a key by its RFC 7638 thumbprint, as jose computes it', async () => {
    const material = keyMaterialFrom(pem);
    expect(material.kid).toBe(await calculateJwkThumbprint(material.publicJwk, 'sha256'));
    expect(keyMaterialFrom(material.privateKey.export({ format: 'der', type: 'pkcs8' })).kid).toBe(
      material.kid,
    );
    expect(keyMaterialFrom(pem2).kid).not.toBe(material.kid);
  });

  it('publishes exactly kty, n, e, kid, alg and use', () => {
    const { publicJwk } = keyMaterialFrom(pem);
    expect(Object.keys(publicJwk).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
    expect(publicJwk).toMatchObject({ kty: 'RSA', e: 'AQAB', alg: 'RS256', use: 'sig' });
  });

  it('generates 2048-bit keys by default and refuses fewer bits', async () => {
    const material = await generateKeyMaterial();
    expect(material.privateKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    await expect(generateKeyMaterial(1024)).rejects.toThrow(/at least 2048 bits; got 1024/);
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    expect(() => keyMaterialFrom(small)).toThrow(/at least 2048 bits/);
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
    expect(() => keyMaterialFrom(p384)).toThrow(/must be RSA or P-256/);
  });

  it('makes P-256 keys for ES256, named by their RFC 7638 thumbprint as jose computes it', async () => {
    const material = await generateKeyMaterialFor('ES256');
    expect(material.publicJwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(material.kid).toBe(await calculateJwkThumbprint(material.publicJwk, 'sha256'));
    expect(keyMaterialFrom(material.privateKey).kid).toBe(material.kid);
  });

  it('sets aside a key whose kid would read as a command-line option (starts with -)', async () => {
    const dashKid = readFileSync(new URL('../fixtures/signing-key-dash-kid.pem', import.meta.url), 'utf8');
    expect(keyMaterialFrom(dashKid).kid).toMatch(/^-/);
    const offered = [createPrivateKey(dashKid), createPrivateKey(pem)];
    const material = await generateKeyMaterial(2048, async () => offered.shift()!);
    expect(material.kid).toBe(keyMaterialFrom(pem).kid);
    expect(offered).toEqual([]);
  });
});

describe('JWKS', () => {
  it('never holds a private member, even when a stored JWK had one', () => {
    const material = keyMaterialFrom(pem);
    const leaky = material.privateKey.export({ format: 'jwk' }) as unknown as PublicJwk;
    const jwks = buildJwks([
      { state: 'retired', publicJwk: keyMaterialFrom(pem2).publicJwk },
      { state: 'current', publicJwk: { ...leaky, kid: material.kid, alg: 'RS256', use: 'sig' } as PublicJwk },
    ]);
    expect(jwks.keys.map((k) => k.kid)).toEqual([material.kid, keyMaterialFrom(pem2).kid]);
    const text = JSON.stringify(jwks);
    for (const key of jwks.keys) {
      for (const member of privateMembers) expect(key).not.toHaveProperty(member);
    }
    expect(text).not.toContain((leaky as unknown as { d: string }).d);
  });
});

import { readFileSync } from 'node:fs';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/core/errors.ts';
import { keyMaterialFrom } from '../../src/core/keys/generate-key.ts';
import {
  buildTokenClaims,
  buildTokenPayload,
  issueToken,
  type TokenRequest,
} from '../../src/core/tokens/issue-token.ts';
import { prepareSigningKey, signJwtAsync } from '../../src/core/tokens/token-signer.ts';
import { subjects } from './principals.ts';

const material = keyMaterialFrom(
  readFileSync(new URL('../fixtures/signing-key-1.pem', import.meta.url), 'utf8'),
);
const key = prepareSigningKey(material.kid, material.privateKey);
const base: TokenRequest & { key: typeof key } = {
  issuer: 'https://envid.example.com',
  audiences: ['vault.hashicorp.com'],
  now: new Date(Date.UTC(2026, 5, 1, 8, 30, 15, 999)),
  jti: 'a0b1c2d3-e4f5-4a6b-8c7d-8e9f0a1b2c3d',
  subject: subjects.serviceAccount,
  oidcConfig: { version: 'v3', extraSubFields: [] },
  key,
};

describe('issueToken', () => {
  it('uses integer seconds: nbf 30 s before iat, exp iat + 3600 by default', () => {
    const { claims, token } = issueToken(base);
    const iat = Math.floor(base.now.getTime() / 1000);
    expect(claims).toMatchObject({ iat, nbf: iat - 30, exp: iat + 3600 });
    expect(decodeJwt(token)).toEqual(claims);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'RS256', typ: 'JWT', kid: material.kid });
  });

  it('allows a shorter lifetime and refuses a longer one or a fraction', () => {
    const { claims } = issueToken({ ...base, lifetimeSeconds: 900 });
    expect(claims.exp - claims.iat).toBe(900);
    for (const lifetimeSeconds of [3601, 59, 0, -5, 100.5]) {
      expect(() => issueToken({ ...base, lifetimeSeconds })).toThrow(ApiError);
      expect(() => issueToken({ ...base, lifetimeSeconds })).toThrow(
        /^lifetime: must be a whole number of seconds/,
      );
    }
  });

  it('sends aud as a string for one audience and an array for several, duplicates folded', () => {
    expect(issueToken({ ...base, audiences: ['a', 'a'] }).claims.aud).toBe('a');
    const several = issueToken({ ...base, audiences: ['a', 'b', 'a'] });
    expect(several.claims.aud).toEqual(['a', 'b']);
    expect(several.audiences).toEqual(['a', 'b']);
  });

  it('refuses bad audiences with an invalid_argument naming the field', () => {
    expect(() => issueToken({ ...base, audiences: [] })).toThrow(
      /^audience: at least one audience is required$/,
    );
  });

  it('gives V2 tokens the standard claims, org and gsub only', () => {
    const { claims } = issueToken({ ...base, oidcConfig: { version: 'v2' } });
    expect(Object.keys(claims)).toEqual(['iss', 'sub', 'aud', 'iat', 'nbf', 'exp', 'jti', 'org', 'gsub']);
  });

  it('signJwtAsync (signature off the event loop) of buildTokenPayload gives the very same token', async () => {
    for (const oidcConfig of [{ version: 'v2' as const }, { version: 'v3' as const, extraSubFields: [] }]) {
      const request = { ...base, oidcConfig, audiences: ['a', 'b'] };
      expect(await signJwtAsync(request.key, buildTokenPayload(request).json)).toBe(
        issueToken(request).token,
      );
    }
  });

  it('buildTokenPayload writes exactly the JSON of buildTokenClaims, for every principal and configuration', () => {
    const configs = [
      { version: 'v2' as const },
      { version: 'v3' as const, extraSubFields: [] },
      { version: 'v3' as const, extraSubFields: ['environment_id', 'creator_idp_claims.groups', 'email'] },
    ];
    for (const subject of Object.values(subjects)) {
      for (const oidcConfig of configs) {
        for (const audiences of [['one'], ['a', 'b']]) {
          const request = { ...base, subject, oidcConfig, audiences };
          const payload = buildTokenPayload(request);
          const { claims } = buildTokenClaims(request);
          expect(payload.json).toBe(JSON.stringify(claims));
          expect(payload.standard).toEqual({
            iss: claims.iss,
            sub: claims.sub,
            aud: claims.aud,
            iat: claims.iat,
            nbf: claims.nbf,
            exp: claims.exp,
            jti: claims.jti,
          });
        }
      }
    }
  });

  it('works the principal part out again when the subject or the configuration is a new object', () => {
    const renamed = {
      ...subjects.serviceAccount,
      serviceAccount: { ...subjects.serviceAccount.serviceAccount, name: 'renamed' },
    };
    const v3 = { version: 'v3' as const, extraSubFields: ['name'] };
    const before = buildTokenClaims({ ...base, oidcConfig: v3 }).claims;
    const after = buildTokenClaims({ ...base, subject: renamed, oidcConfig: v3 }).claims;
    expect(before).toMatchObject({ name: subjects.serviceAccount.serviceAccount.name });
    expect(after).toMatchObject({ name: 'renamed' });
    expect(after.sub).not.toBe(before.sub);
    const noExtra = buildTokenClaims({ ...base, oidcConfig: { version: 'v3', extraSubFields: [] } }).claims;
    expect(noExtra.sub).not.toBe(before.sub);
  });

  it('freezes the subject and configuration it remembers, so a change made in place throws instead of going unseen', () => {
    const subject = structuredClone(subjects.projectEnvironment);
    const oidcConfig = {
      version: 'v3' as const,
      extraSubFields: ['environment_initializers.git.remote_uri'],
    };
    expect(Object.isFrozen(subject)).toBe(false);
    const first = buildTokenClaims({ ...base, subject, oidcConfig }).claims;
    const git = subject.environment.initializers[1]?.git;
    expect(git).toBeDefined();
    expect(Object.isFrozen(git)).toBe(true);
    expect(Object.isFrozen(oidcConfig.extraSubFields)).toBe(true);
    expect(() => {
      (subject.environment.initializers[0] as { contextUrl?: string }).contextUrl = 'https://changed.example';
    }).toThrow(TypeError);
    expect(() => {
      (oidcConfig.extraSubFields as string[]).push('name');
    }).toThrow(TypeError);
    expect(buildTokenClaims({ ...base, subject, oidcConfig }).claims).toEqual(first);
  });
});

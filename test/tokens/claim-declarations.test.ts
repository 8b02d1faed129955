import { describe, expect, it } from 'vitest';
import { generateSecret, secretKind } from '../../src/core/credentials.ts';
import {
  allPrincipalKinds,
  apiPrincipalNames,
  credentialPrefixes,
  principalKinds,
  subDefaultKeys,
  tokenPrincipalKinds,
} from '../../src/core/principal-kinds.ts';
import {
  idpClaimPrefixes,
  plainSubFields,
  principalClaimNames,
  supportedClaims,
} from '../../src/core/tokens/claims.ts';
import { buildTokenClaims } from '../../src/core/tokens/issue-token.ts';
import { buildPrincipalClaims } from '../../src/core/tokens/principal-claims.ts';
import { resolveSubField } from '../../src/core/tokens/sub-fields.ts';
import { subjectId } from '../../src/core/tokens/token-subject.ts';
import type { OidcConfig } from '../../src/store/records.ts';
import { extraFields, labelFields, subjects } from './principals.ts';

const configs: OidcConfig[] = [
  { version: 'v2' },
  { version: 'v3', extraSubFields: [] },
  { version: 'v3', extraSubFields: [...plainSubFields, 'idp_claims.department'] },
  { version: 'v3', extraSubFields: extraFields },
  { version: 'v3', extraSubFields: labelFields, labelClaims: true },
];

const tokenOf = (subject: (typeof subjects)[keyof typeof subjects], oidcConfig: OidcConfig) =>
  buildTokenClaims({
    issuer: 'https://id.example.com',
    audiences: ['aud'],
    now: new Date(Date.UTC(2026, 0, 2)),
    jti: 'j',
    subject: structuredClone(subject),
    oidcConfig: structuredClone(oidcConfig),
  }).claims;

describe('claims are declared once', () => {
  it('every claim a token carries, of every principal under every configuration, is in claims_supported', () => {
    const carried = new Set<string>();
    for (const subject of Object.values(subjects)) {
      for (const config of configs)
        for (const claim of Object.keys(tokenOf(subject, config))) carried.add(claim);
    }
    expect([...carried].filter((claim) => !supportedClaims.includes(claim))).toEqual([]);
    // And discovery names nothing a token never carries (the fixtures hold every claim at least once).
    expect(supportedClaims.filter((claim) => !carried.has(claim))).toEqual([]);
    expect(new Set(supportedClaims).size).toBe(supportedClaims.length);
  });

  it('every sub field names a principal claim, and resolves to that claim where a principal has it', () => {
    for (const field of plainSubFields) {
      const claim = field.split('.')[0] ?? '';
      expect(principalClaimNames, field).toContain(claim);
    }
    for (const prefix of idpClaimPrefixes) expect(principalClaimNames).toContain(prefix.slice(0, -1));
    const resolved = new Set<string>();
    for (const subject of Object.values(subjects)) {
      const claims = buildPrincipalClaims(subject) as unknown as Record<string, unknown>;
      for (const field of plainSubFields) {
        const value = resolveSubField(buildPrincipalClaims(subject), field);
        if (value === undefined) continue;
        resolved.add(field);
        if (!field.includes('.')) expect(value).toBe(claims[field]);
      }
    }
    // The fixtures give every sub field a value somewhere, so none is declared but unreachable.
    expect(plainSubFields.filter((field) => !resolved.has(field))).toEqual([]);
  });
});

describe('principal kinds are declared once', () => {
  it("every token kind's default sub keys and ID claim are principal claims, and its tokens carry its ID there", () => {
    for (const kind of tokenPrincipalKinds) {
      const { idClaim } = principalKinds[kind].token;
      for (const key of [...subDefaultKeys(kind), idClaim]) expect(principalClaimNames, kind).toContain(key);
    }
    for (const subject of Object.values(subjects)) {
      const claims = buildPrincipalClaims(subject) as unknown as Record<string, unknown>;
      expect(claims[principalKinds[subject.kind].token.idClaim]).toBe(subjectId(subject));
    }
  });

  it('each kind has its own credential prefix and API name, and a generated secret is recognised as its kind', () => {
    const prefixes = Object.values(credentialPrefixes);
    expect(new Set(prefixes).size).toBe(allPrincipalKinds.length);
    for (const a of prefixes) for (const b of prefixes) if (a !== b) expect(b.startsWith(a)).toBe(false);
    expect(new Set(Object.values(apiPrincipalNames)).size).toBe(allPrincipalKinds.length);
    const segments = tokenPrincipalKinds.map((kind) => principalKinds[kind].token.v2SubSegment);
    expect(new Set(segments).size).toBe(tokenPrincipalKinds.length);
    for (const kind of allPrincipalKinds) expect(secretKind(generateSecret(kind))).toBe(kind);
  });

  it('every kind but the installation admin gets tokens, and every token kind has a fixture subject', () => {
    expect(tokenPrincipalKinds).toEqual(allPrincipalKinds.filter((kind) => kind !== 'installation_admin'));
    expect(new Set(Object.values(subjects).map((subject) => subject.kind))).toEqual(
      new Set(tokenPrincipalKinds),
    );
  });
});

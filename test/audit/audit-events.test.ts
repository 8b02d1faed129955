import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  keyRotationEvents,
  oidcConfigUpdatedEvent,
  tokenIssuedEvent,
} from '../../src/core/audit/audit-events.ts';
import { keyMaterialFrom } from '../../src/core/keys/generate-key.ts';
import { planRotation } from '../../src/core/keys/plan-rotation.ts';
import { defaultRotationPolicy } from '../../src/core/keys/rotation-policy.ts';
import { issueToken } from '../../src/core/tokens/issue-token.ts';
import { prepareSigningKey } from '../../src/core/tokens/token-signer.ts';
import { orgId, projectEnvironment, subjects } from '../tokens/principals.ts';

const material = keyMaterialFrom(
  readFileSync(new URL('../fixtures/signing-key-1.pem', import.meta.url), 'utf8'),
);
const now = new Date(Date.UTC(2026, 2, 1, 12));

describe('audit events', () => {
  it('records an issued token with jti, principal, organization, audiences, sub, iat, exp and address', () => {
    const issued = issueToken({
      issuer: 'https://envid.example.com',
      audiences: ['a', 'b'],
      now,
      jti: 'j-1',
      subject: subjects.projectEnvironment,
      oidcConfig: { version: 'v3', extraSubFields: [] },
      key: prepareSigningKey(material.kid, material.privateKey),
    });
    expect(
      tokenIssuedEvent({
        id: 'e-1',
        now,
        subject: subjects.projectEnvironment,
        issued,
        clientAddress: '10.0.0.7',
      }),
    ).toEqual({
      id: 'e-1',
      kind: 'token.issued',
      organizationId: orgId,
      principalKind: 'environment',
      principalId: projectEnvironment.id,
      actorKind: 'environment',
      actorId: projectEnvironment.id,
      details: {
        jti: 'j-1',
        audiences: ['a', 'b'],
        sub: issued.claims.sub,
        iat: issued.claims.iat,
        exp: issued.claims.exp,
        clientAddress: '10.0.0.7',
      },
      createdAt: now,
    });
  });

  it('records a configuration change with who made it and the old and new value', () => {
    const event = oidcConfigUpdatedEvent({
      id: 'e-2',
      now,
      organizationId: orgId,
      actor: { kind: 'user', id: 'u-1' },
      before: { version: 'v3', extraSubFields: [] },
      after: { version: 'v2' },
      subChanges: 3,
    });
    expect(event).toMatchObject({ kind: 'oidc_config.updated', actorKind: 'user', actorId: 'u-1' });
    expect(event.details).toEqual({
      before: { version: 'v3', extraSubFields: [] },
      after: { version: 'v2' },
      subChanges: 3,
    });
  });

  it('records key creation, rotation, removal and revocation', () => {
    let n = 0;
    const context = { now, newId: () => `k-${++n}` };
    const bootstrap = keyRotationEvents(
      planRotation([], now, defaultRotationPolicy).decisions,
      ['A', 'B'],
      context,
    );
    expect(bootstrap.map((e) => [e.kind, e.details])).toEqual([
      ['key.created', { kid: 'A', state: 'current', reason: 'bootstrap' }],
      ['key.created', { kid: 'B', state: 'next', reason: 'next_key' }],
    ]);
    const t0 = new Date(0);
    const keys = [
      { id: 'A', state: 'current' as const, publishedAt: t0, activatedAt: t0 },
      { id: 'B', state: 'next' as const, publishedAt: t0 },
      { id: 'R', state: 'retired' as const, publishedAt: t0, retiredAt: t0 },
    ];
    const rotated = keyRotationEvents(planRotation(keys, now, defaultRotationPolicy).decisions, ['C'], {
      ...context,
      actor: { kind: 'installation_admin' },
    });
    expect(rotated.map((e) => [e.kind, e.details, e.actorKind])).toEqual([
      ['key.removed', { kid: 'R', reason: 'expired' }, 'installation_admin'],
      ['key.rotated', { kid: 'B', reason: 'scheduled', retiredKid: 'A' }, 'installation_admin'],
      ['key.created', { kid: 'C', state: 'next', reason: 'next_key' }, 'installation_admin'],
    ]);
    const revoked = keyRotationEvents(
      planRotation(keys, now, defaultRotationPolicy, { revoke: ['B'] }).decisions,
      ['D'],
      context,
    );
    expect(revoked.map((e) => e.kind)).toContain('key.revoked');
  });
});

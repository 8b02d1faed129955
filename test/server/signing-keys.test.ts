import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiTestServer, startApiTestServer, testIssuer } from '../support/api-server.ts';
import { engines } from '../support/databases.ts';
import { type OrganizationFixture, seedTokenOrganization } from '../support/token-fixtures.ts';

describe.each(engines)('SigningKeyService on %s', (engine) => {
  let server: ApiTestServer;
  let org: OrganizationFixture;
  beforeAll(async () => {
    // Real key generation: rotations need more distinct keys than the two fixtures.
    server = await startApiTestServer(engine, { generateKey: undefined });
    org = await seedTokenOrganization(server.store, server.clock);
  });
  afterAll(() => server.close());

  const admin = (method: string, body: unknown = {}) =>
    server.call(`SigningKeyService/${method}`, body, server.adminToken);
  const jwks = async () => (await server.app.inject('/.well-known/jwks.json')).json();
  const token = async () =>
    (await server.call('IdentityService/GetIDToken', { audience: ['x'] }, org.tokens.runner)).body
      .token as string;
  const verifies = async (jwt: string) =>
    jwtVerify(jwt, createLocalJWKSet(await jwks()), {
      issuer: testIssuer,
      currentDate: server.clock.now(),
    }).then(
      () => true,
      () => false,
    );

  it('lists a current and a next key, public parts only', async () => {
    const { status, body } = await admin('ListSigningKeys');
    expect(status).toBe(200);
    expect(body.keys.map((k: { state: string }) => k.state)).toEqual(['current', 'next']);
    expect(JSON.stringify(body)).not.toMatch(/encrypted|"d"|envid-key/);
  });

  it('rotates on demand only once the next key has been published long enough', async () => {
    const before = await token();
    const early = await admin('RotateSigningKeys');
    expect(early.body.rotated).toBe(false);
    expect(early.body.message).toContain('not been published long enough');

    server.clock.advance(11 * 60 * 1000);
    const { body } = await admin('RotateSigningKeys');
    expect(body.rotated).toBe(true);
    expect(body.keys.map((k: { state: string }) => k.state)).toEqual(['current', 'next', 'retired']);
    const after = await token();
    expect(decodeProtectedHeader(after).kid).toBe(body.keys[0].keyId);
    expect(decodeProtectedHeader(after).kid).not.toBe(decodeProtectedHeader(before).kid);
    expect(await verifies(before)).toBe(true);
    expect(await verifies(after)).toBe(true);
  });

  it('drops a revoked key from the JWKS at once and signs with another', async () => {
    const signedByRevoked = await token();
    const kid = decodeProtectedHeader(signedByRevoked).kid!;
    const { status, body } = await admin('RevokeSigningKey', { keyId: kid });
    expect(status).toBe(200);
    expect((await jwks()).keys.map((k: { kid: string }) => k.kid)).not.toContain(kid);
    expect(await verifies(signedByRevoked)).toBe(false);
    const fresh = await token();
    expect(decodeProtectedHeader(fresh).kid).not.toBe(kid);
    expect(await verifies(fresh)).toBe(true);
    expect(body.keys.some((k: { state: string }) => k.state === 'next')).toBe(true);
  });

  it('records key events with who caused them', async () => {
    const events = await server.store.auditEvents.list({ kind: 'key.revoked' });
    expect(events.items).toHaveLength(1);
    expect(events.items[0]).toMatchObject({
      actorKind: 'installation_admin',
      details: { kid: expect.any(String) },
    });
  });

  // Who may list, rotate and revoke, unknown keys and the only key: test/services/signing-keys.test.ts.
  it('refuses an empty key ID', async () => {
    const empty = await admin('RevokeSigningKey', { keyId: '' });
    expect(empty.body).toEqual({ code: 'invalid_argument', message: 'keyId: must not be empty' });
  });
});

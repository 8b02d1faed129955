import { createServer, type Server } from 'node:http';
import { Gitpod } from '@gitpod/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptSecret } from '../../../src/core/keys/encrypt-secret.ts';
import { generateMasterKey } from '../../../src/core/keys/master-key.ts';
import { type ApiTestServer, startApiTestServer } from '../../support/api-server.ts';
import { closedPort } from '../../support/closed-port.ts';
import { type SeededOrganization, seedOrganizationWithPrincipals } from '../../support/principals.ts';
import { startUpstream, type Upstream } from '../../support/upstream-oidc.ts';

/** OrganizationService *SSOConfiguration driven by the official SDK against a listening server. */
describe('SSO configurations through @gitpod/sdk', () => {
  const masterKey = generateMasterKey().key;
  let server: ApiTestServer;
  let upstream: Upstream;
  let silent: Server;
  let silentUrl: string;
  let baseURL: string;
  let a: SeededOrganization;
  let b: SeededOrganization;
  const secret = 'upstream-client-secret-0123456789';

  beforeAll(async () => {
    server = await startApiTestServer('pglite', { masterKey, ssoDiscoveryTimeoutMs: 300 });
    baseURL = `${await server.app.listen({ port: 0, host: '127.0.0.1' })}/api`;
    upstream = await startUpstream();
    // Accepts connections and never answers: the discovery fetch must give up.
    silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentUrl = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
    a = await seedOrganizationWithPrincipals(server.store, server.clock, 'A');
    b = await seedOrganizationWithPrincipals(server.store, server.clock, 'B');
  });
  afterAll(async () => {
    silent?.closeAllConnections();
    await new Promise((resolve) => silent?.close(resolve));
    await upstream?.close();
    await server?.close();
  });

  const client = (bearerToken: string) => new Gitpod({ bearerToken, baseURL, maxRetries: 0 });
  const configs = (token: string) => client(token).organizations.ssoConfigurations;
  const createBody = (organizationId: string) => ({
    organizationId,
    issuerUrl: upstream.issuer,
    clientId: upstream.client.id,
    clientSecret: secret,
    emailDomain: 'Acme.Example',
  });

  it('creates, reads, lists, updates and deletes; the secret is sealed and never answered', async () => {
    const admin = configs(a.admin.token);
    const { ssoConfiguration } = await admin.create({
      ...createBody(a.organization.id),
      // envid's extensions ride along in the same body.
      ...({
        emailDomains: ['eu.acme.example'],
        additionalScopes: ['groups', 'openid'],
        forwardedClaims: ['groups', 'preferred_username'],
        claimsExpression: '"envid-users" in claims.groups',
      } as object),
    });
    expect(ssoConfiguration).toEqual({
      id: expect.any(String),
      organizationId: a.organization.id,
      issuerUrl: upstream.issuer,
      clientId: 'envid',
      emailDomain: 'acme.example',
      emailDomains: ['acme.example', 'eu.acme.example'],
      state: 'SSO_CONFIGURATION_STATE_ACTIVE',
      providerType: 'PROVIDER_TYPE_CUSTOM',
      claims: {},
      additionalScopes: ['groups'],
      forwardedClaims: ['groups', 'preferred_username'],
      claimsExpression: '"envid-users" in claims.groups',
    });
    const id = ssoConfiguration.id;
    // Each change a second apart, so the audit log lists them in order.
    server.clock.advance(1000);

    const row = await server.store.ssoConfigurations.get(id);
    expect(row.encryptedClientSecret).toMatch(/^envid-secret:v1:/);
    expect(row.encryptedClientSecret).not.toContain(secret);
    expect(decryptSecret(row.encryptedClientSecret, id, masterKey)).toBe(secret);

    // A member reads it (never the secret), but may not change it.
    const member = configs(a.member.token);
    expect((await member.retrieve({ ssoConfigurationId: id })).ssoConfiguration).toEqual(ssoConfiguration);
    const listed = [];
    for await (const config of member.list({ organizationId: a.organization.id })) listed.push(config);
    expect(listed).toEqual([ssoConfiguration]);
    await expect(
      member.update({ ssoConfigurationId: id, state: 'SSO_CONFIGURATION_STATE_INACTIVE' }),
    ).rejects.toMatchObject({
      status: 403,
      error: { code: 'permission_denied' },
    });

    await admin.update({
      ssoConfigurationId: id,
      state: 'SSO_CONFIGURATION_STATE_INACTIVE',
      clientSecret: 'rotated-secret',
    });
    const updated = (await admin.retrieve({ ssoConfigurationId: id })).ssoConfiguration;
    expect(updated).toEqual({ ...ssoConfiguration, state: 'SSO_CONFIGURATION_STATE_INACTIVE' });
    expect(JSON.stringify(updated)).not.toContain('secret');
    const rotated = await server.store.ssoConfigurations.get(id);
    server.clock.advance(1000);
    expect(decryptSecret(rotated.encryptedClientSecret, id, masterKey)).toBe('rotated-secret');

    await admin.delete({ ssoConfigurationId: id });
    await expect(admin.retrieve({ ssoConfigurationId: id })).rejects.toMatchObject({ status: 404 });

    // Audited, without the secret in any form.
    const events = await server.store.auditEvents.list(
      { organizationId: a.organization.id },
      { pageSize: 100 },
    );
    const sso = events.items.filter((event) => event.kind.startsWith('sso_config.'));
    expect(sso.map((event) => event.kind)).toEqual([
      'sso_config.created',
      'sso_config.updated',
      'sso_config.deleted',
    ]);
    expect(sso.every((event) => event.actorId === a.admin.user.id)).toBe(true);
    expect(sso[1]?.details).toMatchObject({ clientSecretChanged: true, after: { state: 'inactive' } });
    const logged = JSON.stringify(sso);
    expect(logged).not.toContain(secret);
    expect(logged).not.toContain('rotated-secret');
    expect(logged).not.toContain('envid-secret');
  });

  it('answers another organization not_found, exactly like an unknown ID', async () => {
    const { ssoConfiguration } = await configs(a.admin.token).create(createBody(a.organization.id));
    const unknown = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
    const other = configs(b.admin.token);
    for (const id of [ssoConfiguration.id, unknown]) {
      for (const call of [
        () => other.retrieve({ ssoConfigurationId: id }),
        () => other.update({ ssoConfigurationId: id, clientId: 'taken' }),
        () => other.delete({ ssoConfigurationId: id }),
      ]) {
        await expect(call()).rejects.toMatchObject({
          status: 404,
          error: { code: 'not_found', message: `SSO configuration ${id} not found` },
        });
      }
    }
    await expect(other.create(createBody(a.organization.id))).rejects.toMatchObject({ status: 404 });
    expect((await server.store.ssoConfigurations.get(ssoConfiguration.id)).clientId).toBe('envid');
  });

  const refusals: [string, () => Record<string, unknown>, RegExp][] = [
    [
      'an issuer its discovery document does not name (a trailing slash)',
      () => ({ issuerUrl: `${upstream.issuer}/` }),
      /^issuerUrl: the discovery document .* names the issuer "http:\/\/127\.0\.0\.1:\d+", not "http:\/\/127\.0\.0\.1:\d+\/"/,
    ],
    [
      'an unreachable issuer',
      () => ({ issuerUrl: `http://127.0.0.1:${closedPortNumber}` }),
      /^issuerUrl: the discovery document http:\/\/127\.0\.0\.1:\d+\/\.well-known\/openid-configuration is unreachable \(ECONNREFUSED\)/,
    ],
    [
      'an issuer that never answers',
      () => ({ issuerUrl: silentUrl }),
      /is unreachable \(no answer within 300 ms\)/,
    ],
    [
      'an issuer without a discovery document',
      () => ({ issuerUrl: `${upstream.issuer}/elsewhere` }),
      /answered HTTP 404, not 200/,
    ],
    [
      'plain http to a remote host',
      () => ({ issuerUrl: 'http://sso.example.com' }),
      /^issuerUrl: must be an https URL/,
    ],
    [
      'a CEL rule that does not parse',
      () => ({ claimsExpression: '"a" in in claims' }),
      /^claimsExpression: not a CEL expression/,
    ],
    [
      'a protocol claim to forward',
      () => ({ forwardedClaims: ['groups', 'nonce'] }),
      /"nonce" is a protocol claim/,
    ],
    ['an e-mail domain with a wildcard', () => ({ emailDomain: '*.acme.example' }), /is not a domain name/],
  ];
  let closedPortNumber = 0;
  it.each(refusals)('refuses %s with the reason and creates nothing', async (_name, change, message) => {
    closedPortNumber = await closedPort();
    const body = { ...createBody(b.organization.id), ...change() };
    await expect(configs(b.admin.token).create(body as never)).rejects.toMatchObject({
      status: 400,
      error: { code: 'invalid_argument', message: expect.stringMatching(message) },
    });
    expect(await server.store.ssoConfigurations.count({ organizationId: b.organization.id })).toBe(0);
    const events = await server.store.auditEvents.list({
      organizationId: b.organization.id,
      kind: 'sso_config.created',
    });
    expect(events.items).toEqual([]);
  });

  it('checks a changed issuer again and keeps the old one on refusal', async () => {
    const admin = configs(a.admin.token);
    const { ssoConfiguration } = await admin.create({ ...createBody(a.organization.id), clientId: 'second' });
    await expect(
      admin.update({ ssoConfigurationId: ssoConfiguration.id, issuerUrl: `${upstream.issuer}/` }),
    ).rejects.toMatchObject({ status: 400, error: { code: 'invalid_argument' } });
    expect((await server.store.ssoConfigurations.get(ssoConfiguration.id)).issuerUrl).toBe(upstream.issuer);
  });
});

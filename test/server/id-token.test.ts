import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiTestServer, startApiTestServer, testIssuer } from '../support/api-server.ts';
import { engines } from '../support/databases.ts';
import { type OrganizationFixture, seedTokenOrganization } from '../support/token-fixtures.ts';

describe.each(engines)('GetIDToken on %s', (engine) => {
  let server: ApiTestServer;
  let org: OrganizationFixture;
  beforeAll(async () => {
    server = await startApiTestServer(engine);
    org = await seedTokenOrganization(server.store, server.clock);
  });
  afterAll(() => server.close());

  const getToken = (token: string, body: unknown) => server.call('IdentityService/GetIDToken', body, token);
  const verify = async (jwt: string, audience: string | string[]) => {
    const jwks = (await server.app.inject('/.well-known/jwks.json')).json();
    return jwtVerify(jwt, createLocalJWKSet(jwks), {
      issuer: testIssuer,
      audience,
      currentDate: server.clock.now(),
    });
  };

  it('issues a V3 environment token that verifies against the JWKS', async () => {
    const { status, body } = await getToken(org.tokens.environment, { audience: ['sts.amazonaws.com'] });
    expect(status).toBe(200);
    const { payload, protectedHeader } = await verify(body.token, 'sts.amazonaws.com');
    expect(protectedHeader).toEqual({ alg: 'RS256', typ: 'JWT', kid: expect.any(String) });
    const iat = Math.floor(server.clock.now().getTime() / 1000);
    expect(payload).toMatchObject({
      iss: testIssuer,
      aud: 'sts.amazonaws.com',
      sub: `organization_id:${org.organization.id}:project_id:${org.project.id}`,
      iat,
      nbf: iat - 30,
      exp: iat + 3600,
      organization_id: org.organization.id,
      project_id: org.project.id,
      environment_id: org.environment.id,
      runner_id: org.runner.id,
      creator_id: org.admin.id,
      creator_principal: 'user',
      creator_email: org.admin.email,
      environment_initializers: [
        {
          git: {
            remote_uri: 'https://github.com/acme/backend.git',
            upstream_remote_uri: 'https://github.com/up/backend.git',
          },
          context_url: 'https://github.com/acme/backend/tree/main',
        },
      ],
    });
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers an array aud for several audiences, folding duplicates', async () => {
    const { body } = await getToken(org.tokens.serviceAccount, { audience: ['a', 'b', 'a'] });
    const { payload } = await verify(body.token, 'b');
    expect(payload.aud).toEqual(['a', 'b']);
    expect(payload.sub).toBe(
      `organization_id:${org.organization.id}:service_account_id:${org.serviceAccount.id}`,
    );
  });

  it('issues tokens for users and runners', async () => {
    const user = await getToken(org.tokens.admin, { audience: ['x'] });
    expect((await verify(user.body.token, 'x')).payload).toMatchObject({
      user_id: org.admin.id,
      email: org.admin.email,
      idp: 'https://accounts.acme.example',
      idp_claims: { groups: ['dev', 'ops'], department: 'R&D: tools' },
    });
    const runner = await getToken(org.tokens.runner, { audience: ['x'] });
    expect((await verify(runner.body.token, 'x')).payload).toMatchObject({
      runner_id: org.runner.id,
      runner_name: 'eu-runner',
      sub: `organization_id:${org.organization.id}:runner_id:${org.runner.id}`,
    });
  });

  it('honours a shorter lifetime and refuses a longer one', async () => {
    const short = await getToken(org.tokens.runner, { audience: ['x'], lifetime: '900s' });
    const { payload } = await verify(short.body.token, 'x');
    expect(payload.exp! - payload.iat!).toBe(900);
    const long = await getToken(org.tokens.runner, { audience: ['x'], lifetime: '7200s' });
    expect(long.status).toBe(400);
    expect(long.body.message).toMatch(/^lifetime: /);
  });

  it.each([
    [{}, 'audience: is required'],
    [{ audience: 'x' }, 'audience: must be a list of strings'],
    [{ audience: [] }, 'audience: at least one audience is required'],
    [{ audience: ['has space'] }, 'audience[0]: must not contain whitespace'],
    [{ audience: ['x'.repeat(257)] }, 'audience[0]: is 257 characters long'],
    [{ audience: Array.from({ length: 11 }, (_, i) => `a${i}`) }, 'at most 10 are allowed'],
  ])('refuses bad audiences: %j', async (body, message) => {
    const before = (await server.store.auditEvents.list({}, { pageSize: 100 })).items.length;
    const { status, body: error } = await getToken(org.tokens.runner, body);
    expect(status).toBe(400);
    expect(error.code).toBe('invalid_argument');
    expect(error.message).toContain(message);
    expect((await server.store.auditEvents.list({}, { pageSize: 100 })).items.length).toBe(before);
  });

  it('refuses the installation admin', async () => {
    const { status, body } = await getToken(server.adminToken, { audience: ['x'] });
    expect(status).toBe(403);
    expect(body.message).toContain('installation admin');
  });

  it('records every token in the audit log before answering', async () => {
    const { body } = await getToken(org.tokens.environment, { audience: ['vault'] });
    const { payload } = await verify(body.token, 'vault');
    const events = await server.store.auditEvents.list({
      kind: 'token.issued',
      principalId: org.environment.id,
    });
    const event = events.items.find((e) => e.details.jti === payload.jti);
    expect(event).toMatchObject({
      organizationId: org.organization.id,
      principalKind: 'environment',
      details: {
        audiences: ['vault'],
        sub: payload.sub,
        iat: payload.iat,
        exp: payload.exp,
        clientAddress: '127.0.0.1',
      },
    });
  });

  it('follows a change of the organization’s configuration at once (V2 sub)', async () => {
    await server.store.organizations.update(org.organization.id, (o) => ({
      ...o,
      oidcConfig: { version: 'v2' },
    }));
    const { body } = await getToken(org.tokens.environment, { audience: ['x'] });
    const { payload } = await verify(body.token, 'x');
    expect(payload.sub).toBe(`org:${org.organization.id}/prj:${org.project.id}/env:${org.environment.id}`);
    expect(payload.org).toBe(org.organization.id);
    expect(payload.gsub).toEqual({ id: org.environment.id, principal: 'PRINCIPAL_ENVIRONMENT' });
    // gsub names the caller as GetAuthenticatedIdentity does.
    const runnerToken = await verify(
      (await getToken(org.tokens.runner, { audience: ['x'] })).body.token,
      'x',
    );
    expect(runnerToken.payload.gsub).toEqual({ id: org.runner.id, principal: 'PRINCIPAL_RUNNER' });
    await server.store.organizations.update(org.organization.id, (o) => ({
      ...o,
      oidcConfig: { version: 'v3', extraSubFields: [] },
    }));
  });

  it('refuses a stopped environment at once', async () => {
    await server.store.environments.update(org.environment.id, (e) => ({ ...e, status: 'stopped' }));
    const { status } = await getToken(org.tokens.environment, { audience: ['x'] });
    expect(status).toBe(401);
    await server.store.environments.update(org.environment.id, (e) => ({ ...e, status: 'running' }));
    expect((await getToken(org.tokens.environment, { audience: ['x'] })).status).toBe(200);
  });

  it('signs with the current key of the JWKS', async () => {
    const { body } = await getToken(org.tokens.runner, { audience: ['x'] });
    const jwks = (await server.app.inject('/.well-known/jwks.json')).json();
    expect(jwks.keys[0].kid).toBe(decodeProtectedHeader(body.token).kid);
  });
});

import { decodeJwt } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectError, expectOk } from '../../support/api-expect.ts';
import type { ApiTestServer } from '../../support/api-server.ts';
import { engines } from '../../support/databases.ts';
import {
  administrableByOrganizationAdmins,
  countRecords,
  type PrincipalRole,
  readableByOrganizationUsers,
  type SeededOrganization,
  seedEnvironment,
  seedOrganization,
  seedRunner,
  seedUser,
  startSeededApiServer,
  tokensByRole,
} from '../../support/principals.ts';

const v3 = (...extraSubFields: string[]) => ({ v3: { extraSubFields } });

describe.each(engines)('OIDC configuration methods on %s', (engine) => {
  let server: ApiTestServer;
  let a: SeededOrganization;
  let b: SeededOrganization;
  let tokens: Record<PrincipalRole, string>;
  const call = (method: string, body: unknown, token = a.admin.token) =>
    server.call(`OrganizationService/${method}`, body, token);
  const storedConfig = async () => (await server.store.organizations.get(a.organization.id)).oidcConfig;
  const sub = async (token: string) => {
    const response = expectOk(await server.call('IdentityService/GetIDToken', { audience: ['x'] }, token));
    return decodeJwt(response.token).sub;
  };

  beforeAll(async () => {
    ({ server, a, b } = await startSeededApiServer(engine));
    tokens = tokensByRole(server, a, b);
  });
  afterAll(() => server.close());
  beforeEach(async () => {
    // Each test starts from the default configuration, written straight to the store.
    await server.store.organizations.update(a.organization.id, (o) => ({
      ...o,
      oidcConfig: { version: 'v3', extraSubFields: [] },
    }));
    server.clock.advance(1000);
  });

  describe('GetOIDCConfig', () => {
    it('answers the default V3 configuration', async () => {
      expect(expectOk(await call('GetOIDCConfig', { organizationId: a.organization.id }))).toEqual({
        oidcConfig: { v3: { extraSubFields: [] } },
      });
    });

    it.each(Object.entries(readableByOrganizationUsers))('answers %s with %i', async (role, status) => {
      const response = await call(
        'GetOIDCConfig',
        { organizationId: a.organization.id },
        tokens[role as PrincipalRole],
      );
      expect(response.status, JSON.stringify(response.body)).toBe(status);
      if (status === 404) expectError(response, 'not_found', a.organization.id);
    });

    it('refuses a malformed or unknown organization ID', async () => {
      expectError(
        await call('GetOIDCConfig', { organizationId: 'nope' }),
        'invalid_argument',
        'organizationId',
      );
      expectError(await call('GetOIDCConfig', {}), 'invalid_argument', 'organizationId');
      const unknown = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
      expectError(await call('GetOIDCConfig', { organizationId: unknown }, server.adminToken), 'not_found');
    });
  });

  describe('UpdateOIDCConfig', () => {
    it.each(Object.entries(administrableByOrganizationAdmins))('answers %s with %i', async (role, status) => {
      const response = await call(
        'UpdateOIDCConfig',
        { organizationId: a.organization.id, oidcConfig: v3('creator_idp') },
        tokens[role as PrincipalRole],
      );
      expect(response.status, JSON.stringify(response.body)).toBe(status);
      if (status === 403) expectError(response, 'permission_denied');
      if (status === 404) expectError(response, 'not_found', a.organization.id);
      expect(await storedConfig()).toEqual(
        status === 200
          ? { version: 'v3', extraSubFields: ['creator_idp'] }
          : { version: 'v3', extraSubFields: [] },
      );
    });

    it.each([
      [{}, 'oidcConfig'],
      [{ oidcConfig: v3('nope') }, 'oidcConfig.v3.extraSubFields[0]: "nope"'],
      [{ oidcConfig: v3('email', 'email') }, 'listed twice'],
      [{ oidcConfig: { v4: {} } }, 'unknown member "v4"'],
      [{ oidcConfig: { v2: {}, v3: { extraSubFields: [] } } }, 'exactly one'],
      [{ oidcConfig: { v2: { extraSubFields: ['email'] } } }, 'V2 takes no extra sub fields'],
      [{ oidcConfig: v3(...Array.from({ length: 51 }, (_, i) => `idp_claims.c${i}`)) }, 'at most 50'],
      [{ oidcConfig: v3(), confirmSubChange: 'yes' }, 'confirmSubChange'],
    ])('refuses bad input %j, naming the field, writing nothing', async (body, message) => {
      const events = await countRecords(server.store, 'auditEvents');
      const response = await call('UpdateOIDCConfig', { organizationId: a.organization.id, ...body });
      expectError(response, 'invalid_argument', message);
      expect(response.status).toBe(400);
      expect(await storedConfig()).toEqual({ version: 'v3', extraSubFields: [] });
      expect(await countRecords(server.store, 'auditEvents')).toBe(events);
    });

    it('lists what is allowed when a field is unknown', async () => {
      const response = await call('UpdateOIDCConfig', {
        organizationId: a.organization.id,
        oidcConfig: v3('repository'),
      });
      expectError(response, 'invalid_argument', 'allowed:');
      expect(response.body.message).toContain('environment_initializers.git.remote_uri');
    });

    it('refuses a change of existing subs without confirmation, saying how many and showing one', async () => {
      const events = await countRecords(server.store, 'auditEvents');
      const response = await call('UpdateOIDCConfig', {
        organizationId: a.organization.id,
        oidcConfig: v3('environment_id'),
      });
      expectError(response, 'failed_precondition', 'alters the sub of 1 existing principal');
      expect(response.body.message).toContain(
        `"organization_id:${a.organization.id}" -> "organization_id:${a.organization.id}:environment_id:${a.environment.environment.id}"`,
      );
      expect(response.body.message).toContain('"confirmSubChange": true');
      expect(await storedConfig()).toEqual({ version: 'v3', extraSubFields: [] });
      expect(await countRecords(server.store, 'auditEvents')).toBe(events);
    });

    it('refuses a switch to V2 without confirmation: every principal changes', async () => {
      const response = await call('UpdateOIDCConfig', {
        organizationId: a.organization.id,
        oidcConfig: { v2: {} },
        confirmSubChange: false,
      });
      expectError(response, 'failed_precondition', 'alters the sub of 5 existing principal');
      expect(await storedConfig()).toEqual({ version: 'v3', extraSubFields: [] });
    });

    it('applies a confirmed change, records it in the audit log, and the next token has the new sub', async () => {
      const before = await sub(a.environment.token); // warms the token path's cache
      expect(before).toBe(`organization_id:${a.organization.id}`);
      const response = await call('UpdateOIDCConfig', {
        organizationId: a.organization.id,
        oidcConfig: v3('environment_id'),
        confirmSubChange: true,
      });
      const body = expectOk(response);
      expect(body.oidcConfig).toEqual(v3('environment_id'));
      expect(body.warnings).toEqual([
        expect.objectContaining({ code: 'azure_subject_per_environment', message: expect.any(String) }),
      ]);
      expect(await sub(a.environment.token)).toBe(
        `organization_id:${a.organization.id}:environment_id:${a.environment.environment.id}`,
      );
      const events = await server.store.auditEvents.list({
        organizationId: a.organization.id,
        kind: 'oidc_config.updated',
      });
      expect(events.items.at(-1)).toMatchObject({
        actorKind: 'user',
        actorId: a.admin.user.id,
        details: {
          before: { version: 'v3', extraSubFields: [] },
          after: { version: 'v3', extraSubFields: ['environment_id'] },
          subChanges: 1,
          subChangeConfirmed: true,
        },
      });
    });

    it('applies a change that alters no sub without confirmation, and a V2 switch with it', async () => {
      expectOk(
        await call('UpdateOIDCConfig', { organizationId: a.organization.id, oidcConfig: v3('creator_idp') }),
      );
      expect(await sub(a.serviceAccount.token)).toBe(
        `organization_id:${a.organization.id}:service_account_id:${a.serviceAccount.serviceAccount.id}`,
      );
      const body = expectOk(
        await call(
          'UpdateOIDCConfig',
          { organizationId: a.organization.id, oidcConfig: { v2: {} }, confirmSubChange: true },
          server.adminToken,
        ),
      );
      expect(body.oidcConfig).toEqual({ v2: {} });
      expect(await sub(a.serviceAccount.token)).toBe(
        `org:${a.organization.id}/sa:${a.serviceAccount.serviceAccount.id}`,
      );
      expectOk(await call('GetOIDCConfig', { organizationId: a.organization.id }, a.member.token));
      expect(
        (await call('GetOIDCConfig', { organizationId: a.organization.id }, a.member.token)).body,
      ).toEqual({
        oidcConfig: { v2: {} },
      });
    });

    it('warns about an e-mail in sub', async () => {
      const body = expectOk(
        await call('UpdateOIDCConfig', {
          organizationId: a.organization.id,
          oidcConfig: v3('email'),
          confirmSubChange: true,
        }),
      );
      expect(body.warnings.map((w: { code: string }) => w.code)).toContain('personal_data_in_subject');
    });

    it('leaves other organizations alone', async () => {
      expectOk(
        await call('UpdateOIDCConfig', {
          organizationId: a.organization.id,
          oidcConfig: v3('email'),
          confirmSubChange: true,
        }),
      );
      expect((await server.store.organizations.get(b.organization.id)).oidcConfig).toEqual({
        version: 'v3',
        extraSubFields: [],
      });
    });
  });

  describe('PreviewOIDCConfig', () => {
    it.each(Object.entries(administrableByOrganizationAdmins))('answers %s with %i', async (role, status) => {
      const response = await call(
        'PreviewOIDCConfig',
        { organizationId: a.organization.id, oidcConfig: v3() },
        tokens[role as PrincipalRole],
      );
      expect(response.status, JSON.stringify(response.body)).toBe(status);
    });

    it('refuses bad input, naming the field', async () => {
      expectError(
        await call('PreviewOIDCConfig', { organizationId: a.organization.id, oidcConfig: v3('nope') }),
        'invalid_argument',
        'oidcConfig.v3.extraSubFields[0]',
      );
      expectError(
        await call('PreviewOIDCConfig', { oidcConfig: v3() }),
        'invalid_argument',
        'organizationId',
      );
    });

    it("shows each kind's sub and claims from real principals, the warnings and the sub changes, writing nothing", async () => {
      const events = await countRecords(server.store, 'auditEvents');
      const body = expectOk(
        await call('PreviewOIDCConfig', {
          organizationId: a.organization.id,
          oidcConfig: v3('environment_id'),
        }),
      );
      const org = a.organization.id;
      expect(body.principals).toEqual([
        {
          principal: 'user',
          example: 'existing',
          id: expect.any(String),
          sub: expect.stringMatching(new RegExp(`^organization_id:${org}:user_id:`)),
          claims: expect.objectContaining({ organization_id: org }),
        },
        {
          principal: 'service_account',
          example: 'existing',
          id: a.serviceAccount.serviceAccount.id,
          sub: `organization_id:${org}:service_account_id:${a.serviceAccount.serviceAccount.id}`,
          claims: {
            organization_id: org,
            service_account_id: a.serviceAccount.serviceAccount.id,
            name: 'bot',
          },
        },
        {
          principal: 'runner',
          example: 'existing',
          id: a.runner.runner.id,
          sub: `organization_id:${org}:runner_id:${a.runner.runner.id}`,
          claims: { organization_id: org, runner_id: a.runner.runner.id, runner_name: 'runner' },
        },
        {
          principal: 'environment',
          example: 'existing',
          id: a.environment.environment.id,
          sub: `organization_id:${org}:environment_id:${a.environment.environment.id}`,
          claims: expect.objectContaining({
            environment_id: a.environment.environment.id,
            creator_id: a.member.user.id,
          }),
        },
      ]);
      expect(body.subChangeCount).toBe(1);
      expect(body.confirmSubChangeRequired).toBe(true);
      expect(body.subChanges).toEqual([
        {
          principal: 'environment',
          id: a.environment.environment.id,
          before: `organization_id:${org}`,
          after: `organization_id:${org}:environment_id:${a.environment.environment.id}`,
        },
      ]);
      expect(body.warnings.map((w: { code: string }) => w.code)).toEqual(['azure_subject_per_environment']);
      expect(body.currentOidcConfig).toEqual(v3());
      expect(await storedConfig()).toEqual({ version: 'v3', extraSubFields: [] });
      expect(await countRecords(server.store, 'auditEvents')).toBe(events);
    });

    it('counts stopped environments as existing principals, deleted ones not', async () => {
      const org = await seedOrganization(server.store, server.clock, 'Lifecycle');
      const { user } = await seedUser(server.store, server.clock, org.id, 'admin');
      const { runner } = await seedRunner(server.store, server.clock, org.id);
      const { environment } = await seedEnvironment(server.store, server.clock, org.id, runner.id, user.id);
      const preview = async () =>
        expectOk(
          await call(
            'PreviewOIDCConfig',
            { organizationId: org.id, oidcConfig: v3('environment_id') },
            server.adminToken,
          ),
        );
      await server.store.environments.update(environment.id, (e) => ({ ...e, status: 'stopped' }));
      expect((await preview()).subChangeCount).toBe(1);
      await server.store.environments.update(environment.id, (e) => ({ ...e, status: 'deleted' }));
      const body = await preview();
      expect(body.subChangeCount).toBe(0);
      expect(body.principals.map((p: { example: string }) => p.example)).toEqual([
        'existing',
        'synthetic',
        'existing',
        'synthetic',
      ]);
      expectOk(
        await call(
          'UpdateOIDCConfig',
          { organizationId: org.id, oidcConfig: v3('environment_id') },
          server.adminToken,
        ),
      );
    });

    it('uses labelled synthetic examples for kinds an organization has none of', async () => {
      const empty = await seedOrganization(server.store, server.clock, 'Empty');
      const body = expectOk(
        await call(
          'PreviewOIDCConfig',
          { organizationId: empty.id, oidcConfig: v3('environment_initializers.git.remote_uri') },
          server.adminToken,
        ),
      );
      expect(body.principals.map((p: { example: string }) => p.example)).toEqual([
        'synthetic',
        'synthetic',
        'synthetic',
        'synthetic',
      ]);
      expect(body.principals[3].sub).toBe(
        `organization_id:${empty.id}:project_id:00000000-0000-4000-8000-000000000004:environment_initializers.git.remote_uri:https%3A//github.com/example/repo.git`,
      );
      expect(body.subChangeCount).toBe(0);
      expect(body.confirmSubChangeRequired).toBe(false);
    });
  });
});

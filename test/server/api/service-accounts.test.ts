import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectOk, expectSameNotFound } from '../../support/api-expect.ts';
import type { ApiTestServer } from '../../support/api-server.ts';
import { engines } from '../../support/databases.ts';
import {
  countRecords,
  type SeededOrganization,
  seedServiceAccount,
  startSeededApiServer,
  tokensByRole,
} from '../../support/principals.ts';

describe.each(engines)('ServiceAccountService on %s', (engine) => {
  let server: ApiTestServer;
  let a: SeededOrganization;
  let b: SeededOrganization;
  beforeAll(async () => {
    ({ server, a, b } = await startSeededApiServer(engine));
  });
  afterAll(() => server.close());

  const call = (method: string, body: unknown, token: string) =>
    server.call(`ServiceAccountService/${method}`, body, token);
  const whoAmI = (token: string) => server.call('IdentityService/GetAuthenticatedIdentity', {}, token);
  const principals = () => tokensByRole(server, a, b);
  const count = async () => ({
    serviceAccounts: await countRecords(server.store, 'serviceAccounts'),
    credentials: await countRecords(server.store, 'credentials'),
  });

  it('lets an organization admin create a service account and a token that authenticates as it', async () => {
    const created = expectOk(await call('CreateServiceAccount', { name: 'deployer' }, a.admin.token));
    expect(created).toEqual({
      serviceAccount: {
        id: expect.any(String),
        organizationId: a.organization.id,
        name: 'deployer',
        createdAt: '2026-11-01T00:00:00.000Z',
      },
    });
    const serviceAccountId = created.serviceAccount.id;
    const token = expectOk(
      await call(
        'CreateServiceAccountToken',
        { serviceAccountId, description: 'pipeline', validFor: '3600s' },
        a.admin.token,
      ),
    );
    expect(token).toEqual({
      token: expect.stringMatching(/^envid_sat_[A-Za-z0-9_-]{43}$/),
      serviceAccountToken: {
        id: expect.any(String),
        serviceAccountId,
        description: 'pipeline',
        createdAt: '2026-11-01T00:00:00.000Z',
        expiresAt: '2026-11-01T01:00:00.000Z',
      },
    });
    expect(expectOk(await whoAmI(token.token))).toEqual({
      organizationId: a.organization.id,
      subject: { id: serviceAccountId, principal: 'PRINCIPAL_SERVICE_ACCOUNT' },
    });
    // A service account reads itself, and nothing else.
    expect(
      expectOk(await call('GetServiceAccount', { serviceAccountId }, token.token)).serviceAccount,
    ).toEqual(created.serviceAccount);
    expectError(
      await call('GetServiceAccount', { serviceAccountId: a.serviceAccount.serviceAccount.id }, token.token),
      'not_found',
    );
    const listed = expectOk(await call('ListServiceAccountTokens', { serviceAccountId }, a.member.token));
    expect(listed).toEqual({ serviceAccountTokens: [token.serviceAccountToken], pagination: {} });
  });

  it('lets the installation admin create one in a named organization', async () => {
    const created = expectOk(
      await call(
        'CreateServiceAccount',
        { name: 'ops', organizationId: b.organization.id },
        server.adminToken,
      ),
    );
    expect(created.serviceAccount.organizationId).toBe(b.organization.id);
    expectError(
      await call('CreateServiceAccount', { name: 'ops' }, server.adminToken),
      'invalid_argument',
      'organizationId: is required',
    );
  });

  it('keeps management to admins and hides the organization from outsiders, writing nothing', async () => {
    const before = await count();
    // Members see the organization but may not change it; outsiders and machine credentials cannot see it.
    const expected: Record<string, string> = {
      orgMember: 'permission_denied',
      otherOrgUser: 'not_found',
      serviceAccount: 'not_found',
      runner: 'not_found',
      environment: 'not_found',
    };
    const target = a.serviceAccount.serviceAccount.id;
    for (const [who, code] of Object.entries(expected)) {
      const token = principals()[who as keyof ReturnType<typeof principals>];
      const create = await call(
        'CreateServiceAccount',
        { name: who, organizationId: a.organization.id },
        token,
      );
      expect(create.body.code, `${who} create`).toBe(
        code === 'not_found' ? 'not_found' : 'permission_denied',
      );
      const machine = ['serviceAccount', 'runner', 'environment'].includes(who);
      // Outsiders and machine credentials cannot see the account at all; members see it but may not change it.
      const onAccount = machine || who === 'otherOrgUser' ? 'not_found' : 'permission_denied';
      expect(
        (await call('DeleteServiceAccount', { serviceAccountId: target }, token)).body.code,
        `${who} delete`,
      ).toBe(onAccount);
      expect(
        (await call('CreateServiceAccountToken', { serviceAccountId: target, description: 'x' }, token)).body
          .code,
        `${who} token`,
      ).toBe(code);
    }
    expect(await count()).toEqual(before);
  });

  it('lets readers get and list, machines only themselves', async () => {
    const target = a.serviceAccount.serviceAccount.id;
    const expected: Record<string, [number, number]> = {
      installationAdmin: [200, 200],
      orgAdmin: [200, 200],
      orgMember: [200, 200],
      otherOrgUser: [404, 200], // lists its own organization's
      serviceAccount: [200, 403], // itself
      runner: [404, 403],
      environment: [404, 403],
    };
    for (const [who, token] of Object.entries(principals())) {
      const get = await call('GetServiceAccount', { serviceAccountId: target }, token);
      const list = await call('ListServiceAccounts', {}, token);
      expect([get.status, list.status], who).toEqual(expected[who]);
      if (list.status === 200 && who !== 'installationAdmin') {
        const organizationId = who === 'otherOrgUser' ? b.organization.id : a.organization.id;
        expect(
          list.body.serviceAccounts.every(
            (s: { organizationId: string }) => s.organizationId === organizationId,
          ),
        ).toBe(true);
      }
    }
    const unknown = randomUUID();
    expectSameNotFound(
      await call('GetServiceAccount', { serviceAccountId: target }, b.admin.token),
      target,
      await call('GetServiceAccount', { serviceAccountId: unknown }, b.admin.token),
      unknown,
    );
    expectSameNotFound(
      await call('ListServiceAccounts', { organizationId: a.organization.id }, b.admin.token),
      a.organization.id,
      await call('ListServiceAccounts', { organizationId: unknown }, b.admin.token),
      unknown,
    );
    expectError(
      await call('ListServiceAccountTokens', { serviceAccountId: target }, b.admin.token),
      'not_found',
      `service account ${target} not found`,
    );
  });

  it('pages service accounts', async () => {
    for (let i = 0; i < 3; i++)
      expectOk(await call('CreateServiceAccount', { name: `p${i}` }, a.admin.token));
    const first = expectOk(
      await call('ListServiceAccounts', { pagination: { pageSize: 2 } }, a.member.token),
    );
    expect(first.serviceAccounts).toHaveLength(2);
    const second = expectOk(
      await call(
        'ListServiceAccounts',
        { pagination: { pageSize: 2, token: first.pagination.nextToken } },
        a.member.token,
      ),
    );
    expect(second.serviceAccounts.map((s: { id: string }) => s.id)).not.toContain(
      first.serviceAccounts[0].id,
    );
  });

  it.each([
    ['CreateServiceAccount', {}, 'name: is required'],
    ['CreateServiceAccount', { name: 'x'.repeat(81) }, 'name: must be at most 80 characters'],
    ['CreateServiceAccount', { name: 'x', organizationId: 'x' }, 'organizationId: must be a UUID'],
    ['GetServiceAccount', {}, 'serviceAccountId: is required'],
    ['DeleteServiceAccount', { serviceAccountId: 1 }, 'serviceAccountId: must be a string, got a number'],
    ['CreateServiceAccountToken', { serviceAccountId: '<sa>' }, 'description: is required'],
    [
      'CreateServiceAccountToken',
      { serviceAccountId: '<sa>', description: 'x', validFor: '-5s' },
      'validFor: must be a duration',
    ],
    [
      'ListServiceAccountTokens',
      { serviceAccountId: '<sa>', pagination: { pageSize: 'ten' } },
      'pagination.pageSize: must be a number, got a string',
    ],
    ['RevokeServiceAccountToken', { serviceAccountTokenId: 'x' }, 'serviceAccountTokenId: must be a UUID'],
  ])('%s refuses %j and writes nothing', async (method, input, message) => {
    const before = await count();
    const body = JSON.parse(JSON.stringify(input).replace('<sa>', a.serviceAccount.serviceAccount.id));
    const response = await call(method, body, a.admin.token);
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('invalid_argument');
    expect(response.body.message).toContain(message);
    expect(await count()).toEqual(before);
  });

  it('revokes a token: refused at once; only admins may revoke, outsiders learn nothing', async () => {
    const { serviceAccount } = await seedServiceAccount(server.store, server.clock, a.organization.id);
    const created = expectOk(
      await call(
        'CreateServiceAccountToken',
        { serviceAccountId: serviceAccount.id, description: 'x' },
        a.admin.token,
      ),
    );
    const serviceAccountTokenId = created.serviceAccountToken.id;
    expectError(
      await call('RevokeServiceAccountToken', { serviceAccountTokenId }, a.member.token),
      'permission_denied',
    );
    const unknown = randomUUID();
    expectSameNotFound(
      await call('RevokeServiceAccountToken', { serviceAccountTokenId }, b.admin.token),
      serviceAccountTokenId,
      await call('RevokeServiceAccountToken', { serviceAccountTokenId: unknown }, b.admin.token),
      unknown,
    );
    expectError(
      await call('RevokeServiceAccountToken', { serviceAccountTokenId }, created.token),
      'not_found',
    );
    expectOk(await whoAmI(created.token));
    expectOk(await call('RevokeServiceAccountToken', { serviceAccountTokenId }, a.admin.token));
    expectError(await whoAmI(created.token), 'unauthenticated', 'revoked');
    const listed = expectOk(
      await call('ListServiceAccountTokens', { serviceAccountId: serviceAccount.id }, a.admin.token),
    );
    expect(
      listed.serviceAccountTokens.find((t: { id: string }) => t.id === serviceAccountTokenId).revokedAt,
    ).toBe('2026-11-01T00:00:00.000Z');
    // A personal access token is not a service account token.
    expectError(
      await call(
        'RevokeServiceAccountToken',
        { serviceAccountTokenId: a.member.credential.id },
        a.admin.token,
      ),
      'not_found',
    );
  });

  it('deletes a service account and refuses its credentials at once', async () => {
    const doomed = await seedServiceAccount(server.store, server.clock, a.organization.id);
    expectOk(await whoAmI(doomed.token));
    expectOk(
      await call('DeleteServiceAccount', { serviceAccountId: doomed.serviceAccount.id }, a.admin.token),
    );
    expectError(await whoAmI(doomed.token), 'unauthenticated');
    expectError(
      await call('GetServiceAccount', { serviceAccountId: doomed.serviceAccount.id }, a.admin.token),
      'not_found',
    );
  });

  it('refuses a deleted service account’s credential even when only the record is gone', async () => {
    const doomed = await seedServiceAccount(server.store, server.clock, a.organization.id);
    await server.store.serviceAccounts.delete(doomed.serviceAccount.id);
    expectError(await whoAmI(doomed.token), 'unauthenticated', 'no longer exists');
  });
});

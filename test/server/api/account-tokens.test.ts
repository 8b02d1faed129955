import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiMethods } from '../../../src/server/routes/api/index.ts';
import { expectError, expectOk, expectSameNotFound } from '../../support/api-expect.ts';
import type { ApiTestServer } from '../../support/api-server.ts';
import { engines } from '../../support/databases.ts';
import { countRecords, type SeededOrganization, startSeededApiServer } from '../../support/principals.ts';

/** What an account-level token (a user token bound to no organization) may and may not do. */
describe.each(engines)('account-level tokens on %s', (engine) => {
  let server: ApiTestServer;
  let a: SeededOrganization;
  let b: SeededOrganization;
  /** A user in no organization yet, and its account-level token. */
  let user: { id: string; email: string };
  let token: string;
  let tokenId: string;
  beforeAll(async () => {
    ({ server, a, b } = await startSeededApiServer(engine));
    ({ user } = expectOk(
      await server.call(
        'UserService/CreateUser',
        { email: 'dan@example.com', name: 'Dan' },
        server.adminToken,
      ),
    ));
    const created = expectOk(
      await server.call(
        'UserService/CreatePersonalAccessToken',
        { userId: user.id, description: 'first login' },
        server.adminToken,
      ),
    );
    ({ token } = created);
    tokenId = created.personalAccessToken.id;
    expect(created.personalAccessToken).toEqual({
      id: expect.any(String),
      description: 'first login',
      createdAt: server.clock.now().toISOString(),
      userId: user.id,
    });
  });
  afterAll(() => server.close());

  const call = (method: string, body: unknown, bearer = token) => server.call(method, body, bearer);

  it('is its user, in no organization', async () => {
    expect(expectOk(await call('IdentityService/GetAuthenticatedIdentity', {}))).toEqual({
      subject: { id: user.id, principal: 'PRINCIPAL_USER' },
    });
    const me = expectOk(await call('UserService/GetAuthenticatedUser', {}));
    expect(me.user).toMatchObject({ id: user.id, email: 'dan@example.com' });
    expect(me.user).not.toHaveProperty('organizationId');
    expect(expectOk(await call('OrganizationService/ListOrganizations', {}))).toEqual({
      organizations: [],
      pagination: {},
    });
  });

  it('gets no ID token and reaches no organization’s data', async () => {
    const refused = await call('IdentityService/GetIDToken', { audience: ['sts.amazonaws.com'] });
    expect(refused.status).toBe(403);
    expectError(refused, 'permission_denied', 'account-level token');
    const reads: [string, unknown][] = [
      ['OrganizationService/GetOrganization', { organizationId: a.organization.id }],
      ['OrganizationService/ListMembers', { organizationId: a.organization.id }],
      ['OrganizationService/GetOIDCConfig', { organizationId: a.organization.id }],
      ['OrganizationService/CreateOrganizationInvite', { organizationId: a.organization.id }],
      ['UserService/GetUser', { userId: a.member.user.id }],
      ['UserService/GetUser', { userId: user.id }],
      ['UserService/ListPersonalAccessTokens', {}],
      ['UserService/GetPersonalAccessToken', { personalAccessTokenId: tokenId }],
      ['EnvironmentService/ListEnvironments', {}],
      ['ProjectService/ListProjects', {}],
      ['RunnerService/ListRunners', {}],
      ['ServiceAccountService/ListServiceAccounts', {}],
      ['AuditService/ListAuditEvents', {}],
    ];
    for (const [method, body] of reads) {
      const response = await call(method, body);
      expect({ method, status: response.status }).toEqual({ method, status: 403 });
    }
  });

  it('is refused before its body is even read by every method not defined for accounts', async () => {
    const allowed = new Set([
      'IdentityService/GetAuthenticatedIdentity',
      'UserService/GetAuthenticatedUser',
      'UserService/CreatePersonalAccessToken',
      'OrganizationService/ListOrganizations',
      'OrganizationService/GetOrganizationInviteSummary',
      'OrganizationService/JoinOrganization',
      'OrganizationService/LeaveOrganization',
    ]);
    const open = apiMethods.filter((m) => m.forAccounts).map((m) => `${m.service}/${m.method}`);
    expect(new Set(open)).toEqual(allowed);
    for (const method of apiMethods.map((m) => `${m.service}/${m.method}`).filter((m) => !allowed.has(m))) {
      const response = await call(method, { not: 'a valid body' });
      expect({ method, code: response.body.code }).toEqual({ method, code: 'permission_denied' });
    }
  });

  it('joins by invite, then creates a token of that organization, and none of another', async () => {
    const { invite } = expectOk(
      await call(
        'OrganizationService/CreateOrganizationInvite',
        { organizationId: a.organization.id },
        a.admin.token,
      ),
    );
    expectOk(await call('OrganizationService/JoinOrganization', { inviteId: invite.inviteId }));
    const listed = expectOk(await call('OrganizationService/ListOrganizations', {}));
    expect(listed.organizations).toEqual([expect.objectContaining({ id: a.organization.id, name: 'A' })]);

    const created = expectOk(
      await call('UserService/CreatePersonalAccessToken', {
        organizationId: a.organization.id,
        description: 'laptop',
      }),
    );
    expect(created.personalAccessToken).toMatchObject({ userId: user.id, organizationId: a.organization.id });
    expect(
      expectOk(await call('IdentityService/GetIDToken', { audience: ['x'] }, created.token)).token,
    ).toEqual(expect.any(String));

    const before = await countRecords(server.store, 'credentials');
    const unknown = randomUUID();
    const body = (organizationId: string) => ({ organizationId, description: 'x' });
    expectSameNotFound(
      await call('UserService/CreatePersonalAccessToken', body(b.organization.id)),
      b.organization.id,
      await call('UserService/CreatePersonalAccessToken', body(unknown)),
      unknown,
    );
    expectError(
      await call('UserService/CreatePersonalAccessToken', {
        ...body(a.organization.id),
        userId: a.member.user.id,
      }),
      'permission_denied',
      'only for itself',
    );
    // Only the installation admin makes account-level tokens: not this one, not a token of an organization.
    for (const bearer of [token, created.token]) {
      expectError(
        await call('UserService/CreatePersonalAccessToken', { description: 'x' }, bearer),
        'invalid_argument',
        'organizationId: is required (only the installation admin creates account-level tokens',
      );
    }
    expect(await countRecords(server.store, 'credentials')).toBe(before);
  });

  it('is seen and revoked by the installation admin only; an organization admin does not see it', async () => {
    const got = expectOk(
      await call('UserService/GetPersonalAccessToken', { personalAccessTokenId: tokenId }, server.adminToken),
    );
    expect(got.pat).toEqual(expect.objectContaining({ id: tokenId, userId: user.id }));
    expect(got.pat).not.toHaveProperty('organizationId');
    const listed = expectOk(
      await call(
        'UserService/ListPersonalAccessTokens',
        { filter: { userIds: [user.id] } },
        server.adminToken,
      ),
    );
    expect(listed.personalAccessTokens.map((t: { id: string }) => t.id)).toContain(tokenId);
    expectError(
      await call('UserService/GetPersonalAccessToken', { personalAccessTokenId: tokenId }, a.admin.token),
      'not_found',
    );
    const adminList = expectOk(
      await call('UserService/ListPersonalAccessTokens', { filter: { userIds: [user.id] } }, a.admin.token),
    );
    expect(adminList.personalAccessTokens.map((t: { id: string }) => t.id)).not.toContain(tokenId);
  });

  it('the installation admin makes one for any user, not for an unknown one; deleting the user kills it', async () => {
    const unknown = randomUUID();
    expectError(
      await call(
        'UserService/CreatePersonalAccessToken',
        { userId: unknown, description: 'x' },
        server.adminToken,
      ),
      'not_found',
      `user ${unknown} not found`,
    );
    const { user: doomed } = expectOk(
      await call('UserService/CreateUser', { email: 'doomed@example.com', name: 'D' }, server.adminToken),
    );
    const { token: doomedToken } = expectOk(
      await call(
        'UserService/CreatePersonalAccessToken',
        { userId: doomed.id, description: 'x' },
        server.adminToken,
      ),
    );
    expectOk(await call('IdentityService/GetAuthenticatedIdentity', {}, doomedToken));
    expectOk(await call('UserService/DeleteUser', { userId: doomed.id }, server.adminToken));
    expectError(await call('IdentityService/GetAuthenticatedIdentity', {}, doomedToken), 'unauthenticated');
  });

  it('dies at once when revoked', async () => {
    const { token: spare, personalAccessToken } = expectOk(
      await call(
        'UserService/CreatePersonalAccessToken',
        { userId: user.id, description: 'spare' },
        server.adminToken,
      ),
    );
    expectOk(await call('IdentityService/GetAuthenticatedIdentity', {}, spare));
    expectOk(
      await call(
        'UserService/DeletePersonalAccessToken',
        { personalAccessTokenId: personalAccessToken.id },
        server.adminToken,
      ),
    );
    expectError(
      await call('IdentityService/GetAuthenticatedIdentity', {}, spare),
      'unauthenticated',
      'revoked',
    );
  });
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../../src/core/credentials.ts';
import { expectError, expectOk, expectSameNotFound } from '../../support/api-expect.ts';
import type { ApiTestServer } from '../../support/api-server.ts';
import { engines } from '../../support/databases.ts';
import {
  countRecords,
  type PrincipalRole,
  readableByOrganizationUsers,
  type SeededOrganization,
  seedUser,
  startSeededApiServer,
  tokensByRole,
} from '../../support/principals.ts';

describe.each(engines)('UserService on %s', (engine) => {
  let server: ApiTestServer;
  let a: SeededOrganization;
  let b: SeededOrganization;
  beforeAll(async () => {
    ({ server, a, b } = await startSeededApiServer(engine));
  });
  afterAll(() => server.close());

  const call = (method: string, body: unknown, token: string) =>
    server.call(`UserService/${method}`, body, token);
  const whoAmI = (token: string) => server.call('IdentityService/GetAuthenticatedIdentity', {}, token);
  const principals = () => tokensByRole(server, a, b);
  const countUsers = () => countRecords(server.store, 'users');
  const countCredentials = () => countRecords(server.store, 'credentials');

  describe('users', () => {
    it('creates a user for the installation admin, with the e-mail in lower case', async () => {
      const body = expectOk(
        await call('CreateUser', { email: ' Ada@Example.COM ', name: 'Ada' }, server.adminToken),
      );
      expect(body).toEqual({
        user: {
          id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
          email: 'ada@example.com',
          name: 'Ada',
          createdAt: '2026-11-01T00:00:00.000Z',
          status: 'USER_STATUS_ACTIVE',
        },
      });
      const again = await call(
        'CreateUser',
        { email: 'ADA@example.com', name: 'Other Ada' },
        server.adminToken,
      );
      expect(again.status).toBe(409);
      expect(again.body).toEqual({
        code: 'already_exists',
        message: 'a user with email ada@example.com already exists',
      });
      const got = expectOk(await call('GetUser', { userId: body.user.id }, server.adminToken));
      expect(got.user).toEqual(body.user);
    });

    it.each([
      [{ name: 'x' }, 'email: is required'],
      [{ email: 'not an email', name: 'x' }, 'email: must be an e-mail address'],
      [{ email: 5, name: 'x' }, 'email: must be a string, got a number'],
      [{ email: `${'a'.repeat(250)}@example.com`, name: 'x' }, 'email: must be at most 254 characters'],
      [{ email: 'b@example.com' }, 'name: is required'],
      [{ email: 'b@example.com', name: '' }, 'name: must not be empty'],
      [{ email: 'b@example.com', name: ['x'] }, 'name: must be a string, got an array'],
    ])('CreateUser refuses %j and writes nothing', async (input, message) => {
      const before = await countUsers();
      const response = await call('CreateUser', input, server.adminToken);
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('invalid_argument');
      expect(response.body.message).toContain(message);
      expect(await countUsers()).toBe(before);
    });

    it('leaves user management to the installation admin', async () => {
      const before = await countUsers();
      const { installationAdmin: _, ...others } = principals();
      for (const [who, token] of Object.entries(others)) {
        const email = `${who.toLowerCase()}@example.com`;
        expectError(
          await call('CreateUser', { email, name: who }, token),
          'permission_denied',
          'installation admin',
        );
        expectError(await call('ListUsers', {}, token), 'permission_denied', 'installation admin');
        for (const userId of [a.member.user.id, randomUUID()]) {
          const response = await call('DeleteUser', { userId }, token);
          expect(response.body).toEqual({
            code: 'permission_denied',
            message: 'only the installation admin may delete users',
          });
        }
      }
      expect(await countUsers()).toBe(before);
    });

    it('lists users page by page for the installation admin', async () => {
      const total = await countUsers();
      const first = expectOk(await call('ListUsers', { pagination: { pageSize: 2 } }, server.adminToken));
      expect(first.users).toHaveLength(2);
      expect(first.pagination.nextToken).toEqual(expect.any(String));
      const rest = expectOk(
        await call(
          'ListUsers',
          { pagination: { pageSize: 100, token: first.pagination.nextToken } },
          server.adminToken,
        ),
      );
      expect(rest.pagination).toEqual({});
      expect(first.users.length + rest.users.length).toBe(total);
    });

    it('lets a user read itself and its organization’s members, and nobody else', async () => {
      const target = a.member.user.id;
      const expected = readableByOrganizationUsers;
      for (const [who, token] of Object.entries(principals())) {
        const response = await call('GetUser', { userId: target }, token);
        expect(response.status, who).toBe(expected[who as PrincipalRole]);
      }
      const unknown = randomUUID();
      expectSameNotFound(
        await call('GetUser', { userId: target }, b.admin.token),
        target,
        await call('GetUser', { userId: unknown }, b.admin.token),
        unknown,
      );
      expectError(
        await call('GetUser', { userId: 'ABC' }, server.adminToken),
        'invalid_argument',
        'userId: must be a UUID',
      );
    });

    it('answers GetAuthenticatedUser for a user credential only', async () => {
      const body = expectOk(await call('GetAuthenticatedUser', {}, a.member.token));
      expect(body.user).toEqual({
        id: a.member.user.id,
        email: a.member.user.email,
        name: a.member.user.name,
        organizationId: a.organization.id,
        createdAt: a.member.user.createdAt.toISOString(),
        status: 'USER_STATUS_ACTIVE',
      });
      for (const token of [server.adminToken, a.serviceAccount.token, a.runner.token, a.environment.token]) {
        expectError(await call('GetAuthenticatedUser', {}, token), 'permission_denied');
      }
    });

    it('deletes a user and refuses its credentials at once', async () => {
      const doomed = await seedUser(server.store, server.clock, a.organization.id, 'member');
      expectOk(await whoAmI(doomed.token));
      expectOk(await call('DeleteUser', { userId: doomed.user.id }, server.adminToken));
      expectError(await whoAmI(doomed.token), 'unauthenticated');
      expectError(await call('GetUser', { userId: doomed.user.id }, server.adminToken), 'not_found');
      expect(await server.store.memberships.findOne({ userId: doomed.user.id })).toBeUndefined();
      const unknown = randomUUID();
      expectError(
        await call('DeleteUser', { userId: unknown }, server.adminToken),
        'not_found',
        `user ${unknown} not found`,
      );
    });

    it('refuses a deleted user’s credential even when only the record is gone (authenticate checks the principal)', async () => {
      const doomed = await seedUser(server.store, server.clock, a.organization.id, 'member');
      await server.store.users.delete(doomed.user.id); // no revocation: the store alone
      expect((await server.store.credentials.get(doomed.credential.id)).revokedAt).toBeUndefined();
      expectError(await whoAmI(doomed.token), 'unauthenticated');
    });
  });

  describe('personal access tokens', () => {
    it('lets a user create a token for itself and use it; the secret is answered once', async () => {
      const response = await call(
        'CreatePersonalAccessToken',
        { organizationId: a.organization.id, description: 'laptop', validFor: '86400s' },
        a.member.token,
      );
      const body = expectOk(response);
      expect(body).toEqual({
        token: expect.stringMatching(/^envid_pat_[A-Za-z0-9_-]{43}$/),
        personalAccessToken: {
          id: expect.any(String),
          userId: a.member.user.id,
          organizationId: a.organization.id,
          description: 'laptop',
          createdAt: '2026-11-01T00:00:00.000Z',
          expiresAt: '2026-11-02T00:00:00.000Z',
        },
      });
      const stored = await server.store.credentials.get(body.personalAccessToken.id);
      expect(stored.secretHash).toBe(hashSecret(body.token));
      expect(expectOk(await whoAmI(body.token))).toEqual({
        organizationId: a.organization.id,
        subject: { id: a.member.user.id, principal: 'PRINCIPAL_USER' },
      });
      const got = expectOk(
        await call('GetPersonalAccessToken', { personalAccessTokenId: stored.id }, a.member.token),
      );
      expect(got).toEqual({ pat: body.personalAccessToken });
      const listed = expectOk(await call('ListPersonalAccessTokens', {}, a.member.token));
      expect(JSON.stringify(listed)).not.toContain(body.token);
      expect(JSON.stringify(listed)).not.toContain(stored.secretHash);
    });

    it('lets the installation admin create a token for a member of an organization', async () => {
      const body = expectOk(
        await call(
          'CreatePersonalAccessToken',
          {
            userId: b.member.user.id,
            organizationId: b.organization.id,
            description: 'ci',
            expiresAt: '2027-01-01T00:00:00+01:00',
          },
          server.adminToken,
        ),
      );
      expect(body.personalAccessToken).toEqual(
        expect.objectContaining({ userId: b.member.user.id, expiresAt: '2026-12-31T23:00:00.000Z' }),
      );
      expect(expectOk(await whoAmI(body.token)).subject.id).toBe(b.member.user.id);
      // …but not for a user outside that organization.
      const before = await countCredentials();
      expectError(
        await call(
          'CreatePersonalAccessToken',
          { userId: a.member.user.id, organizationId: b.organization.id, description: 'x' },
          server.adminToken,
        ),
        'failed_precondition',
        'not a member',
      );
      expectError(
        await call(
          'CreatePersonalAccessToken',
          { organizationId: b.organization.id, description: 'x' },
          server.adminToken,
        ),
        'invalid_argument',
        'userId: is required',
      );
      const unknown = randomUUID();
      expectError(
        await call(
          'CreatePersonalAccessToken',
          { userId: unknown, organizationId: b.organization.id, description: 'x' },
          server.adminToken,
        ),
        'not_found',
        `user ${unknown} not found`,
      );
      expect(await countCredentials()).toBe(before);
    });

    it('refuses other organizations, other users and machine credentials, writing nothing', async () => {
      const before = await countCredentials();
      const unknown = randomUUID();
      expectSameNotFound(
        await call(
          'CreatePersonalAccessToken',
          { organizationId: b.organization.id, description: 'x' },
          a.member.token,
        ),
        b.organization.id,
        await call(
          'CreatePersonalAccessToken',
          { organizationId: unknown, description: 'x' },
          a.member.token,
        ),
        unknown,
      );
      expectError(
        await call(
          'CreatePersonalAccessToken',
          { userId: a.member.user.id, organizationId: a.organization.id, description: 'x' },
          a.admin.token,
        ),
        'permission_denied',
        'only for itself',
      );
      for (const token of [a.serviceAccount.token, a.runner.token, a.environment.token]) {
        expectError(
          await call(
            'CreatePersonalAccessToken',
            { organizationId: a.organization.id, description: 'x' },
            token,
          ),
          'permission_denied',
        );
      }
      expect(await countCredentials()).toBe(before);
    });

    it.each([
      [{ description: 'x' }, 'organizationId: is required'],
      [{ organizationId: 'x', description: 'x' }, 'organizationId: must be a UUID'],
      [{ organizationId: '<org>' }, 'description: is required'],
      [{ organizationId: '<org>', description: 'x', userId: 12 }, 'userId: must be a string, got a number'],
      [
        { organizationId: '<org>', description: 'x', expiresAt: 'tomorrow' },
        'expiresAt: must be an RFC 3339 time',
      ],
      [
        { organizationId: '<org>', description: 'x', expiresAt: '2026-10-01T00:00:00Z' },
        'expiresAt: must be in the future',
      ],
      [
        { organizationId: '<org>', description: 'x', expiresAt: '2099-10-01T00:00:00Z' },
        'expiresAt: must be within ten years',
      ],
      [
        { organizationId: '<org>', description: 'x', validFor: '1h' },
        'validFor: must be a duration in seconds',
      ],
      [{ organizationId: '<org>', description: 'x', validFor: '0s' }, 'validFor: must be positive'],
      [
        { organizationId: '<org>', description: 'x', validFor: '60s', expiresAt: '2027-01-01T00:00:00Z' },
        'validFor: must not be given together with expiresAt',
      ],
    ])('CreatePersonalAccessToken refuses %j and writes nothing', async (input, message) => {
      const before = await countCredentials();
      const body = JSON.parse(JSON.stringify(input).replace('<org>', a.organization.id));
      const response = await call('CreatePersonalAccessToken', body, a.member.token);
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('invalid_argument');
      expect(response.body.message).toContain(message);
      expect(await countCredentials()).toBe(before);
    });

    it('lets the owner, its organization’s admins and the installation admin see a token; nobody else', async () => {
      const { credential } = await seedUser(server.store, server.clock, a.organization.id, 'member');
      const expected: Record<string, number> = {
        installationAdmin: 200,
        orgAdmin: 200,
        orgMember: 404, // another member's token
        otherOrgUser: 404,
        serviceAccount: 404,
        runner: 404,
        environment: 404,
      };
      for (const [who, token] of Object.entries(principals())) {
        const response = await call(
          'GetPersonalAccessToken',
          { personalAccessTokenId: credential.id },
          token,
        );
        expect(response.status, who).toBe(expected[who as PrincipalRole]);
      }
      const unknown = randomUUID();
      expectSameNotFound(
        await call('GetPersonalAccessToken', { personalAccessTokenId: credential.id }, b.admin.token),
        credential.id,
        await call('GetPersonalAccessToken', { personalAccessTokenId: unknown }, b.admin.token),
        unknown,
      );
      // Not a personal access token at all: the same answer.
      const runnerCredential = (await server.store.credentials.findOne({ principalId: a.runner.runner.id }))!;
      expectError(
        await call(
          'GetPersonalAccessToken',
          { personalAccessTokenId: runnerCredential.id },
          server.adminToken,
        ),
        'not_found',
      );
    });

    it('lists what each caller may see', async () => {
      const ids = async (token: string, body: unknown = {}) =>
        expectOk(await call('ListPersonalAccessTokens', body, token)).personalAccessTokens as {
          userId: string;
          organizationId: string;
        }[];
      const mine = await ids(a.member.token);
      expect(mine.length).toBeGreaterThan(0);
      expect(mine.every((t) => t.userId === a.member.user.id && t.organizationId === a.organization.id)).toBe(
        true,
      );
      const orgAdmin = await ids(a.admin.token);
      expect(orgAdmin.every((t) => t.organizationId === a.organization.id)).toBe(true);
      expect(new Set(orgAdmin.map((t) => t.userId)).size).toBeGreaterThan(1);
      const filtered = await ids(a.admin.token, { filter: { userIds: [a.member.user.id] } });
      expect(filtered.every((t) => t.userId === a.member.user.id)).toBe(true);
      const all = await ids(server.adminToken, { pagination: { pageSize: 100 } });
      expect(new Set(all.map((t) => t.organizationId))).toEqual(
        new Set([a.organization.id, b.organization.id]),
      );
      expectError(
        await call('ListPersonalAccessTokens', { filter: { userIds: [a.admin.user.id] } }, a.member.token),
        'permission_denied',
        'only its own',
      );
      expectError(
        await call(
          'ListPersonalAccessTokens',
          { filter: { userIds: [randomUUID(), randomUUID()] } },
          server.adminToken,
        ),
        'invalid_argument',
        'filter.userIds: must name at most one user',
      );
      expectError(
        await call('ListPersonalAccessTokens', { filter: { userIds: ['x'] } }, server.adminToken),
        'invalid_argument',
        'filter.userIds.0: must be a UUID',
      );
      for (const token of [a.serviceAccount.token, a.runner.token, a.environment.token]) {
        expectError(await call('ListPersonalAccessTokens', {}, token), 'permission_denied');
      }
    });

    it('deletes (revokes) a token: refused at once, still listed as revoked', async () => {
      const created = expectOk(
        await call(
          'CreatePersonalAccessToken',
          { organizationId: a.organization.id, description: 'short' },
          a.member.token,
        ),
      );
      const personalAccessTokenId = created.personalAccessToken.id;
      expectOk(await whoAmI(created.token));
      // Outsiders cannot, and learn nothing.
      expectError(
        await call('DeletePersonalAccessToken', { personalAccessTokenId }, b.admin.token),
        'not_found',
      );
      expectOk(await whoAmI(created.token));
      expectOk(await call('DeletePersonalAccessToken', { personalAccessTokenId }, a.member.token));
      expectError(await whoAmI(created.token), 'unauthenticated', 'revoked');
      const got = expectOk(await call('GetPersonalAccessToken', { personalAccessTokenId }, a.member.token));
      expect(got.pat.revokedAt).toBe('2026-11-01T00:00:00.000Z');
      expectError(
        await call('DeletePersonalAccessToken', { personalAccessTokenId: 'nope' }, a.member.token),
        'invalid_argument',
        'personalAccessTokenId: must be a UUID',
      );
    });

    it('refuses an expired token', async () => {
      const created = expectOk(
        await call(
          'CreatePersonalAccessToken',
          { organizationId: a.organization.id, description: 'brief', validFor: '60s' },
          a.member.token,
        ),
      );
      expectOk(await whoAmI(created.token));
      server.clock.advance(61_000);
      try {
        expectError(await whoAmI(created.token), 'unauthenticated', 'expired');
      } finally {
        server.clock.advance(-61_000);
      }
    });
  });
});

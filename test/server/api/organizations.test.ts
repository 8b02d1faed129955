import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectOk, expectSameNotFound } from '../../support/api-expect.ts';
import type { ApiTestServer } from '../../support/api-server.ts';
import { engines } from '../../support/databases.ts';
import {
  countRecords,
  type PrincipalRole,
  readableByOrganizationUsers,
  type SeededOrganization,
  seedOrganization,
  seedOrganizationWithPrincipals,
  seedUser,
  startSeededApiServer,
  tokensByRole,
} from '../../support/principals.ts';

describe.each(engines)('OrganizationService on %s', (engine) => {
  let server: ApiTestServer;
  let a: SeededOrganization;
  let b: SeededOrganization;
  beforeAll(async () => {
    ({ server, a, b } = await startSeededApiServer(engine));
  });
  afterAll(() => server.close());

  const call = (method: string, body: unknown, token: string) =>
    server.call(`OrganizationService/${method}`, body, token);
  const principals = () => tokensByRole(server, a, b);
  const countOrganizations = () => countRecords(server.store, 'organizations');

  describe('CreateOrganization', () => {
    it('creates an organization for the installation admin', async () => {
      const body = expectOk(await call('CreateOrganization', { name: '  Acme  ' }, server.adminToken));
      expect(body).toEqual({
        organization: {
          id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          name: 'Acme',
          createdAt: '2026-11-01T00:00:00.000Z',
        },
      });
      const stored = await server.store.organizations.get(body.organization.id);
      expect(stored.oidcConfig).toEqual({ version: 'v3', extraSubFields: [] });
    });

    it('refuses everyone else and writes nothing', async () => {
      const before = await countOrganizations();
      const { installationAdmin: _, ...others } = principals();
      for (const [who, token] of Object.entries(others)) {
        const response = await call('CreateOrganization', { name: `by ${who}` }, token);
        expect(response.status, who).toBe(403);
        expectError(response, 'permission_denied', 'installation admin');
      }
      expect(await countOrganizations()).toBe(before);
    });

    it.each([
      [{}, 'name: is required'],
      [{ name: 42 }, 'name: must be a string, got a number'],
      [{ name: '   ' }, 'name: must not be empty'],
      [{ name: 'x'.repeat(81) }, 'name: must be at most 80 characters'],
      [{ name: 'ok', joinOrganization: 'yes' }, 'joinOrganization: must be a boolean, got a string'],
    ])('refuses bad input %j and writes nothing', async (input, message) => {
      const before = await countOrganizations();
      const response = await call('CreateOrganization', input, server.adminToken);
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ code: 'invalid_argument', message });
      expect(await countOrganizations()).toBe(before);
    });
  });

  describe('GetOrganization', () => {
    it('answers readers of the organization and not_found for everyone else', async () => {
      const expected = readableByOrganizationUsers;
      for (const [who, token] of Object.entries(principals())) {
        const response = await call('GetOrganization', { organizationId: a.organization.id }, token);
        expect(response.status, who).toBe(expected[who as PrincipalRole]);
        if (response.status === 200) {
          expect(response.body.organization).toEqual({
            id: a.organization.id,
            name: 'A',
            createdAt: a.organization.createdAt.toISOString(),
          });
        }
      }
    });

    it('answers another organization exactly like an unknown ID', async () => {
      const unknown = randomUUID();
      const other = await call('GetOrganization', { organizationId: b.organization.id }, a.admin.token);
      const missing = await call('GetOrganization', { organizationId: unknown }, a.admin.token);
      expectSameNotFound(other, b.organization.id, missing, unknown);
      expect(other.status).toBe(missing.status);
    });

    it.each([
      [{}, 'organizationId: is required'],
      [{ organizationId: 7 }, 'organizationId: must be a string, got a number'],
      [{ organizationId: 'not-a-uuid' }, 'organizationId: must be a UUID'],
      [{ organizationId: randomUUID().toUpperCase() }, 'organizationId: must be a UUID'],
    ])('refuses %j', async (input, message) => {
      const response = await call('GetOrganization', input, server.adminToken);
      expectError(response, 'invalid_argument', message);
    });
  });

  describe('ListOrganizations', () => {
    it('answers every organization to the installation admin, page by page', async () => {
      const total = await countOrganizations();
      const seen: string[] = [];
      let token: string | undefined;
      do {
        const body = expectOk(
          await call(
            'ListOrganizations',
            { pagination: { pageSize: 1, ...(token ? { token } : {}) } },
            server.adminToken,
          ),
        );
        expect(body.organizations.length).toBeLessThanOrEqual(1);
        seen.push(...body.organizations.map((o: { id: string }) => o.id));
        token = body.pagination.nextToken;
      } while (token);
      expect(seen).toHaveLength(total);
      expect(new Set(seen).size).toBe(total);
      expect(seen).toContain(a.organization.id);
    });

    it('answers a user only its own organization', async () => {
      for (const token of [a.admin.token, a.member.token]) {
        const body = expectOk(await call('ListOrganizations', {}, token));
        expect(body).toEqual({
          organizations: [expect.objectContaining({ id: a.organization.id })],
          pagination: {},
        });
      }
    });

    it('refuses machine credentials', async () => {
      for (const token of [a.serviceAccount.token, a.runner.token, a.environment.token]) {
        expectError(await call('ListOrganizations', {}, token), 'permission_denied');
      }
    });

    it('refuses a bad page size and a forged page token', async () => {
      expectError(
        await call('ListOrganizations', { pagination: { pageSize: 0 } }, server.adminToken),
        'invalid_argument',
        'pagination.pageSize: must be between 1 and 100',
      );
      expectError(
        await call('ListOrganizations', { pagination: { token: 'forged' } }, server.adminToken),
        'invalid_argument',
        'pagination.token',
      );
    });
  });

  describe('DeleteOrganization', () => {
    it('is for the installation admin only, and answers the same whatever the ID', async () => {
      const { installationAdmin: _, ...others } = principals();
      for (const [who, token] of Object.entries(others)) {
        for (const organizationId of [a.organization.id, b.organization.id, randomUUID()]) {
          const response = await call('DeleteOrganization', { organizationId }, token);
          expect(response.status, who).toBe(403);
          expect(response.body.message).toBe('only the installation admin may delete organizations');
        }
      }
      expect(await server.store.organizations.find(a.organization.id)).toBeDefined();
    });

    it('deletes an organization with everything in it and refuses its credentials at once', async () => {
      const doomed = await seedOrganizationWithPrincipals(server.store, server.clock, 'doomed');
      expectOk(
        await call('DeleteOrganization', { organizationId: doomed.organization.id }, server.adminToken),
      );
      for (const token of [
        doomed.admin.token,
        doomed.member.token,
        doomed.serviceAccount.token,
        doomed.runner.token,
        doomed.environment.token,
      ]) {
        const response = await server.call('IdentityService/GetAuthenticatedIdentity', {}, token);
        expect(response.status).toBe(401);
      }
      expectError(
        await call('GetOrganization', { organizationId: doomed.organization.id }, server.adminToken),
        'not_found',
      );
      // Users are installation-wide: they stay, without the membership.
      expect(await server.store.users.find(doomed.admin.user.id)).toBeDefined();
      expect(await server.store.memberships.findOne({ userId: doomed.admin.user.id })).toBeUndefined();
    });

    it('answers not_found for an unknown ID', async () => {
      const unknown = randomUUID();
      const response = await call('DeleteOrganization', { organizationId: unknown }, server.adminToken);
      expect(response.status).toBe(404);
      expect(response.body.message).toBe(`organization ${unknown} not found`);
    });
  });

  describe('members', () => {
    it('lists members with their roles in the SDK shape', async () => {
      const body = expectOk(await call('ListMembers', { organizationId: a.organization.id }, a.member.token));
      expect(body.pagination).toEqual({});
      expect(body.members).toHaveLength(2);
      expect(body.members).toEqual(
        expect.arrayContaining([
          {
            userId: a.admin.user.id,
            email: a.admin.user.email,
            fullName: a.admin.user.name,
            role: 'ORGANIZATION_ROLE_ADMIN',
            memberSince: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
            status: 'USER_STATUS_ACTIVE',
          },
          expect.objectContaining({ userId: a.member.user.id, role: 'ORGANIZATION_ROLE_MEMBER' }),
        ]),
      );
    });

    it('pages members, also with the cursor in the query as the SDK sends it', async () => {
      const first = expectOk(
        await call(
          'ListMembers',
          { organizationId: a.organization.id, pagination: { pageSize: 1 } },
          server.adminToken,
        ),
      );
      expect(first.members).toHaveLength(1);
      const response = await server.app.inject({
        method: 'POST',
        url: `/api/gitpod.v1.OrganizationService/ListMembers?token=${first.pagination.nextToken}&pageSize=1`,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${server.adminToken}` },
        payload: JSON.stringify({ organizationId: a.organization.id }),
      });
      const second = response.json();
      expect(second.members).toHaveLength(1);
      expect(second.members[0].userId).not.toBe(first.members[0].userId);
    });

    it('lets readers list members and hides them from everyone else', async () => {
      const expected = readableByOrganizationUsers;
      for (const [who, token] of Object.entries(principals())) {
        const response = await call('ListMembers', { organizationId: a.organization.id }, token);
        expect(response.status, who).toBe(expected[who as PrincipalRole]);
      }
    });

    it('lets the installation admin add any user and admins re-role and remove members; members and outsiders may not', async () => {
      const expected: Record<string, string> = {
        installationAdmin: 'ok',
        orgAdmin: 'ok',
        orgMember: 'permission_denied',
        otherOrgUser: 'not_found',
        serviceAccount: 'not_found',
        runner: 'not_found',
        environment: 'not_found',
      };
      // An organization admin adds nobody by ID: users join by invite.
      const expectedAdd: Record<string, string> = { ...expected, orgAdmin: 'not_found' };
      for (const [who, token] of Object.entries(principals())) {
        const newcomer = await server.store.users.insert({
          id: randomUUID(),
          email: `${who}-${randomUUID()}@example.com`,
          name: who,
          emailVerified: true,
          createdAt: server.clock.now(),
        });
        const organizationId = a.organization.id;
        const add = await call('AddMember', { organizationId, userId: newcomer.id }, token);
        if (expectedAdd[who] !== 'ok') {
          expectError(add, expectedAdd[who]!);
          expect(
            await server.store.memberships.findOne({ organizationId, userId: newcomer.id }),
          ).toBeUndefined();
        }
        if (expected[who] !== 'ok') {
          // SetRole and RemoveMember on an existing member are refused the same way.
          expectError(
            await call(
              'SetRole',
              { organizationId, userId: a.member.user.id, role: 'ORGANIZATION_ROLE_ADMIN' },
              token,
            ),
            expected[who]!,
          );
          expectError(
            await call('RemoveMember', { organizationId, userId: a.member.user.id }, token),
            expected[who]!,
          );
          continue;
        }
        const added =
          expectedAdd[who] === 'ok'
            ? add
            : await call('AddMember', { organizationId, userId: newcomer.id }, server.adminToken);
        expect(expectOk(added).member).toEqual(
          expect.objectContaining({
            userId: newcomer.id,
            role: 'ORGANIZATION_ROLE_MEMBER',
            email: newcomer.email,
          }),
        );
        expectOk(
          await call(
            'SetRole',
            { organizationId, userId: newcomer.id, role: 'ORGANIZATION_ROLE_ADMIN' },
            token,
          ),
        );
        expect((await server.store.memberships.findOne({ organizationId, userId: newcomer.id }))?.role).toBe(
          'admin',
        );
        expectOk(await call('RemoveMember', { organizationId, userId: newcomer.id }, token));
        expect(
          await server.store.memberships.findOne({ organizationId, userId: newcomer.id }),
        ).toBeUndefined();
      }
      expect((await server.store.memberships.findOne({ userId: a.member.user.id }))?.role).toBe('member');
    });

    it('refuses adding a member twice and an unknown user', async () => {
      const organizationId = a.organization.id;
      for (const token of [a.admin.token, server.adminToken]) {
        const twice = await call('AddMember', { organizationId, userId: a.member.user.id }, token);
        expect(twice.status).toBe(409);
        expectError(twice, 'already_exists', 'already a member');
        const unknown = randomUUID();
        expectError(
          await call('AddMember', { organizationId, userId: unknown }, token),
          'not_found',
          `user ${unknown} not found`,
        );
      }
    });

    it('answers an organization admin adding a user of another organization exactly like an unknown ID, adding nothing', async () => {
      const organizationId = a.organization.id;
      const outsider = b.member.user.id;
      const unknown = randomUUID();
      const other = await call('AddMember', { organizationId, userId: outsider }, a.admin.token);
      const missing = await call('AddMember', { organizationId, userId: unknown }, a.admin.token);
      expect(other.status).toBe(404);
      expect(missing.status).toBe(404);
      expectSameNotFound(other, outsider, missing, unknown);
      // Nothing of the user comes back, and the message says how users join instead.
      expect(JSON.stringify(other.body)).not.toContain(b.member.user.email);
      expect(other.body.message).toContain('CreateOrganizationInvite');
      expect(await server.store.memberships.findOne({ organizationId, userId: outsider })).toBeUndefined();
    });

    it('answers a non-member exactly like an unknown user in SetRole and RemoveMember', async () => {
      const organizationId = a.organization.id;
      const unknown = randomUUID();
      const outsider = b.member.user.id;
      for (const method of ['SetRole', 'RemoveMember']) {
        const body = { organizationId, role: 'ORGANIZATION_ROLE_MEMBER' };
        expectSameNotFound(
          await call(method, { ...body, userId: outsider }, a.admin.token),
          outsider,
          await call(method, { ...body, userId: unknown }, a.admin.token),
          unknown,
        );
      }
    });

    it.each([
      [
        'SetRole',
        { role: 'ORGANIZATION_ROLE_OWNER' },
        'role: must be ORGANIZATION_ROLE_ADMIN or ORGANIZATION_ROLE_MEMBER',
      ],
      [
        'SetRole',
        { role: 'ORGANIZATION_ROLE_UNSPECIFIED' },
        'role: must be ORGANIZATION_ROLE_ADMIN or ORGANIZATION_ROLE_MEMBER',
      ],
      ['SetRole', { role: undefined }, 'role: is required'],
      ['SetRole', { userId: 'nope' }, 'userId: must be a UUID'],
      ['AddMember', { role: 3 }, 'role: must be ORGANIZATION_ROLE_ADMIN or ORGANIZATION_ROLE_MEMBER'],
      ['AddMember', { userId: undefined }, 'userId: is required'],
      ['RemoveMember', { organizationId: 'x' }, 'organizationId: must be a UUID'],
      ['ListMembers', { organizationId: undefined }, 'organizationId: is required'],
      ['ListMembers', { pagination: { pageSize: 101 } }, 'pagination.pageSize: must be between 1 and 100'],
      ['ListMembers', { pagination: { pageSize: 1.5 } }, 'pagination.pageSize: must be an integer'],
    ])('%s refuses %j and changes nothing', async (method, change, message) => {
      const body = {
        organizationId: a.organization.id,
        userId: a.member.user.id,
        role: 'ORGANIZATION_ROLE_ADMIN',
        ...change,
      };
      const response = await call(method, body, a.admin.token);
      expect(response.body).toEqual({ code: 'invalid_argument', message: expect.stringContaining(message) });
      expect((await server.store.memberships.findOne({ userId: a.member.user.id }))?.role).toBe('member');
    });

    it('keeps an organization admin from demoting or removing the last admin; the installation admin may', async () => {
      const organization = await seedOrganization(server.store, server.clock, 'solo');
      const solo = await seedUser(server.store, server.clock, organization.id, 'admin');
      const organizationId = organization.id;
      const userId = solo.user.id;
      expectError(
        await call('SetRole', { organizationId, userId, role: 'ORGANIZATION_ROLE_MEMBER' }, solo.token),
        'failed_precondition',
        'last admin',
      );
      expectError(
        await call('RemoveMember', { organizationId, userId }, solo.token),
        'failed_precondition',
        'last admin',
      );
      expect((await server.store.memberships.findOne({ organizationId, userId }))?.role).toBe('admin');
      expectOk(
        await call(
          'SetRole',
          { organizationId, userId, role: 'ORGANIZATION_ROLE_MEMBER' },
          server.adminToken,
        ),
      );
      // Demoted, the user's own token reads but no longer manages (roles are read per request).
      expectError(
        await call('SetRole', { organizationId, userId, role: 'ORGANIZATION_ROLE_ADMIN' }, solo.token),
        'permission_denied',
      );
    });

    it('refuses a removed member’s tokens for that organization at once, and keeps them dead on re-adding', async () => {
      const organizationId = a.organization.id;
      const leaver = await seedUser(server.store, server.clock, organizationId, 'member');
      expectOk(await server.call('IdentityService/GetAuthenticatedIdentity', {}, leaver.token));
      expectOk(await call('RemoveMember', { organizationId, userId: leaver.user.id }, a.admin.token));
      expectError(
        await server.call('IdentityService/GetAuthenticatedIdentity', {}, leaver.token),
        'unauthenticated',
      );
      expectOk(await call('AddMember', { organizationId, userId: leaver.user.id }, server.adminToken));
      expectError(
        await server.call('IdentityService/GetAuthenticatedIdentity', {}, leaver.token),
        'unauthenticated',
        'revoked',
      );
    });
  });
});

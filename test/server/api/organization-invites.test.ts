import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectOk, expectSameNotFound } from '../../support/api-expect.ts';
import { type ApiTestServer, startApiTestServer } from '../../support/api-server.ts';
import { engines } from '../../support/databases.ts';
import {
  type SeededOrganization,
  seedOrganization,
  seedOrganizationWithPrincipals,
  seedUser,
} from '../../support/principals.ts';

const week = 7 * 24 * 60 * 60 * 1000;

describe.each(engines)('organization invites, joining and leaving on %s', (engine) => {
  let server: ApiTestServer;
  let a: SeededOrganization;
  let b: SeededOrganization;
  const logLines: string[] = [];
  beforeAll(async () => {
    const stream = new Writable({
      write(chunk, _encoding, done) {
        logLines.push(chunk.toString());
        done();
      },
    });
    server = await startApiTestServer(engine, { logger: { level: 'trace', stream } });
    a = await seedOrganizationWithPrincipals(server.store, server.clock, 'A');
    b = await seedOrganizationWithPrincipals(server.store, server.clock, 'B');
  });
  afterAll(() => server.close());

  const call = (method: string, body: unknown, token: string) =>
    server.call(`OrganizationService/${method}`, body, token);
  const whoAmI = (token: string) => server.call('IdentityService/GetAuthenticatedIdentity', {}, token);
  const membership = (organizationId: string, userId: string) =>
    server.store.memberships.findOne({ organizationId, userId });

  /** A new user, as the installation admin creates one, with an account-level token. */
  async function newAccount(email = `${randomUUID().slice(0, 8)}@example.com`) {
    const { user } = expectOk(
      await server.call('UserService/CreateUser', { email, name: 'New' }, server.adminToken),
    );
    const { token } = expectOk(
      await server.call(
        'UserService/CreatePersonalAccessToken',
        { userId: user.id, description: 'account' },
        server.adminToken,
      ),
    );
    return { id: user.id as string, email: user.email as string, token: token as string };
  }

  const createInvite = async (organizationId: string, token: string) =>
    expectOk(await call('CreateOrganizationInvite', { organizationId }, token)).invite.inviteId as string;

  describe('CreateOrganizationInvite and GetOrganizationInvite', () => {
    it('lets the organization’s admins and the installation admin create and read the one live invite', async () => {
      const organization = await seedOrganization(server.store, server.clock, 'Invites');
      const admin = await seedUser(server.store, server.clock, organization.id, 'admin');
      const organizationId = organization.id;
      // None yet: Get makes one (as Ona's console does), and answers it again after.
      const got = expectOk(await call('GetOrganizationInvite', { organizationId }, admin.token));
      expect(got).toEqual({
        invite: {
          inviteId: expect.stringMatching(/^[0-9a-f-]{36}$/),
          expiresAt: new Date(server.clock.now().getTime() + week).toISOString(),
        },
      });
      expect(expectOk(await call('GetOrganizationInvite', { organizationId }, server.adminToken))).toEqual(
        got,
      );
      // Create replaces it: the old ID admits nobody any more.
      const created = expectOk(await call('CreateOrganizationInvite', { organizationId }, admin.token));
      expect(created.invite.inviteId).not.toBe(got.invite.inviteId);
      expect(expectOk(await call('GetOrganizationInvite', { organizationId }, admin.token))).toEqual(created);
      expect(await server.store.organizationInvites.list({ organizationId })).toEqual({
        items: [expect.objectContaining({ id: created.invite.inviteId })],
      });
      const newcomer = await newAccount();
      expectError(
        await call('JoinOrganization', { inviteId: got.invite.inviteId }, newcomer.token),
        'not_found',
        'invite not found',
      );
      expect(await membership(organizationId, newcomer.id)).toBeUndefined();
    });

    it('hides the invite from members (permission_denied) and from everyone else (not_found, as an unknown ID)', async () => {
      const organizationId = a.organization.id;
      for (const method of ['CreateOrganizationInvite', 'GetOrganizationInvite']) {
        expectError(await call(method, { organizationId }, a.member.token), 'permission_denied');
        for (const token of [b.admin.token, a.serviceAccount.token, a.runner.token, a.environment.token]) {
          const unknown = randomUUID();
          expectSameNotFound(
            await call(method, { organizationId }, token),
            organizationId,
            await call(method, { organizationId: unknown }, token),
            unknown,
          );
        }
        expectError(
          await call(method, { organizationId: 'x' }, a.admin.token),
          'invalid_argument',
          'organizationId: must be a UUID',
        );
      }
      expect(await server.store.organizationInvites.findOne({ organizationId })).toBeUndefined();
    });

    it('lets an invite admit users for a week; after that it is not found and Get makes a new one', async () => {
      const organizationId = a.organization.id;
      const inviteId = await createInvite(organizationId, a.admin.token);
      const early = await newAccount();
      const late = await newAccount();
      expectOk(await call('JoinOrganization', { inviteId }, early.token));
      server.clock.advance(week);
      try {
        const summary = await call('GetOrganizationInviteSummary', { inviteId }, late.token);
        const join = await call('JoinOrganization', { inviteId }, late.token);
        const unknown = await call('JoinOrganization', { inviteId: randomUUID() }, late.token);
        // Expired, replaced or never made: one answer, which never repeats the ID.
        for (const response of [summary, join, unknown]) {
          expect(response.status).toBe(404);
          expect(response.body).toEqual(unknown.body);
        }
        expect(JSON.stringify(join.body)).not.toContain(inviteId);
        expect(await membership(organizationId, late.id)).toBeUndefined();
        const renewed = expectOk(await call('GetOrganizationInvite', { organizationId }, a.admin.token));
        expect(renewed.invite.inviteId).not.toBe(inviteId);
        expectOk(await call('JoinOrganization', { inviteId: renewed.invite.inviteId }, late.token));
      } finally {
        server.clock.advance(-week);
      }
    });
  });

  describe('GetOrganizationInviteSummary', () => {
    it('tells any user, and the installation admin, which organization an invite is for; machines get nothing', async () => {
      const inviteId = await createInvite(a.organization.id, a.admin.token);
      const account = await newAccount();
      const expected = { organizationId: a.organization.id, organizationName: 'A' };
      for (const token of [b.member.token, account.token, server.adminToken, a.member.token]) {
        expect(expectOk(await call('GetOrganizationInviteSummary', { inviteId }, token))).toEqual(expected);
      }
      for (const token of [b.serviceAccount.token, b.runner.token, b.environment.token]) {
        expectError(await call('GetOrganizationInviteSummary', { inviteId }, token), 'permission_denied');
      }
      expectError(
        await call('GetOrganizationInviteSummary', {}, account.token),
        'invalid_argument',
        'inviteId: is required',
      );
    });
  });

  describe('JoinOrganization', () => {
    it('by invite: a new user joins as a member with its account-level token, then gets a token of the organization', async () => {
      const inviteId = await createInvite(a.organization.id, a.admin.token);
      const ada = await newAccount('ada.joins@example.com');
      const joined = expectOk(await call('JoinOrganization', { inviteId }, ada.token));
      expect(joined).toEqual({
        member: {
          userId: ada.id,
          email: 'ada.joins@example.com',
          fullName: 'New',
          role: 'ORGANIZATION_ROLE_MEMBER',
          memberSince: server.clock.now().toISOString(),
          status: 'USER_STATUS_ACTIVE',
        },
      });
      const again = await call('JoinOrganization', { inviteId }, ada.token);
      expect(again.status).toBe(409);
      expectError(again, 'already_exists', 'already a member');
      const { token } = expectOk(
        await server.call(
          'UserService/CreatePersonalAccessToken',
          { organizationId: a.organization.id, description: 'laptop' },
          ada.token,
        ),
      );
      expect(expectOk(await whoAmI(token))).toEqual({
        organizationId: a.organization.id,
        subject: { id: ada.id, principal: 'PRINCIPAL_USER' },
      });
    });

    it('by invite with a token of another organization: joins, but that token mints nothing for the new one', async () => {
      const inviteId = await createInvite(a.organization.id, a.admin.token);
      const bob = await seedUser(server.store, server.clock, b.organization.id, 'member');
      expectOk(await call('JoinOrganization', { inviteId }, bob.token));
      expect((await membership(a.organization.id, bob.user.id))?.role).toBe('member');
      // Still acts in b: a's data is out of its reach, and so are credentials for a.
      expect(expectOk(await whoAmI(bob.token)).organizationId).toBe(b.organization.id);
      const unknown = randomUUID();
      const body = (organizationId: string) => ({ organizationId, description: 'x' });
      expectSameNotFound(
        await server.call('UserService/CreatePersonalAccessToken', body(a.organization.id), bob.token),
        a.organization.id,
        await server.call('UserService/CreatePersonalAccessToken', body(unknown), bob.token),
        unknown,
      );
      expectError(
        await call('GetOrganization', { organizationId: a.organization.id }, bob.token),
        'not_found',
      );
    });

    it('by e-mail domain: a verified address at a listed domain joins; anything else is not found, as an unknown ID', async () => {
      const organization = await seedOrganization(server.store, server.clock, 'Domains');
      const admin = await seedUser(server.store, server.clock, organization.id, 'admin');
      const organizationId = organization.id;
      const updated = expectOk(
        await call(
          'UpdateOrganization',
          {
            organizationId,
            inviteDomains: { domains: [' Domains.EXAMPLE ', 'domains.example', 'other.example'] },
          },
          admin.token,
        ),
      );
      expect(updated.organization.inviteDomains).toEqual({ domains: ['domains.example', 'other.example'] });

      const grace = await newAccount('Grace@Domains.Example');
      expect(expectOk(await call('JoinOrganization', { organizationId }, grace.token)).member).toMatchObject({
        userId: grace.id,
        role: 'ORGANIZATION_ROLE_MEMBER',
      });
      expectError(await call('JoinOrganization', { organizationId }, grace.token), 'already_exists');

      // A subdomain, a look-alike and another domain: exactly like an organization that does not exist.
      for (const email of ['x@eu.domains.example', 'x@domains.example.com', 'x@example.com']) {
        const outsider = await newAccount(email);
        const unknown = randomUUID();
        const refused = await call('JoinOrganization', { organizationId }, outsider.token);
        expectSameNotFound(
          refused,
          organizationId,
          await call('JoinOrganization', { organizationId: unknown }, outsider.token),
          unknown,
        );
        expect(refused.body.message).toContain('ask an admin of the organization for an invite');
        expect(await membership(organizationId, outsider.id)).toBeUndefined();
      }

      // An address nobody vouched for (e.g. an SSO user without email_verified) joins by invite only.
      const unverified = await newAccount('unverified@domains.example');
      await server.store.users.update(unverified.id, (user) => ({ ...user, emailVerified: false }));
      expectError(
        await call('JoinOrganization', { organizationId }, unverified.token),
        'failed_precondition',
        'not verified',
      );
      expect(await membership(organizationId, unverified.id)).toBeUndefined();
    });

    it('refuses bad requests and callers that are not users, joining nothing', async () => {
      const inviteId = await createInvite(a.organization.id, a.admin.token);
      const account = await newAccount();
      expectError(
        await call('JoinOrganization', { inviteId, organizationId: a.organization.id }, account.token),
        'invalid_argument',
        'inviteId: give inviteId or organizationId, not both',
      );
      expectError(
        await call('JoinOrganization', {}, account.token),
        'invalid_argument',
        'inviteId: is required',
      );
      expectError(
        await call('JoinOrganization', { inviteId: 'nope' }, account.token),
        'invalid_argument',
        'inviteId: must be a UUID',
      );
      expectError(
        await call('JoinOrganization', { inviteId }, server.adminToken),
        'permission_denied',
        'AddMember',
      );
      for (const token of [b.serviceAccount.token, b.runner.token, b.environment.token]) {
        expectError(await call('JoinOrganization', { inviteId }, token), 'permission_denied', 'only a user');
      }
      expect(await membership(a.organization.id, account.id)).toBeUndefined();
    });
  });

  describe('LeaveOrganization', () => {
    it('a member leaves with a token of the organization; its tokens for that organization are revoked', async () => {
      const organizationId = a.organization.id;
      const leaver = await seedUser(server.store, server.clock, organizationId, 'member');
      expectOk(await call('LeaveOrganization', { userId: leaver.user.id }, leaver.token));
      expect(await membership(organizationId, leaver.user.id)).toBeUndefined();
      expect((await server.store.credentials.get(leaver.credential.id)).revokedAt).toEqual(
        server.clock.now(),
      );
      expectError(await whoAmI(leaver.token), 'unauthenticated');
      // Back by invite, the old token stays dead.
      await server.store.memberships.insert({
        id: randomUUID(),
        organizationId,
        userId: leaver.user.id,
        role: 'member',
        createdAt: server.clock.now(),
      });
      expectError(await whoAmI(leaver.token), 'unauthenticated', 'revoked');
    });

    it('an account-level token names the organization; one the user is not in is not found, as an unknown ID', async () => {
      const inviteId = await createInvite(b.organization.id, b.admin.token);
      const account = await newAccount();
      expectOk(await call('JoinOrganization', { inviteId }, account.token));
      const { token: orgToken } = expectOk(
        await server.call(
          'UserService/CreatePersonalAccessToken',
          { organizationId: b.organization.id, description: 'b' },
          account.token,
        ),
      );
      const userId = account.id;
      expectError(
        await call('LeaveOrganization', { userId }, account.token),
        'invalid_argument',
        'organizationId: is required for an account-level token',
      );
      const unknown = randomUUID();
      expectSameNotFound(
        await call('LeaveOrganization', { userId, organizationId: a.organization.id }, account.token),
        a.organization.id,
        await call('LeaveOrganization', { userId, organizationId: unknown }, account.token),
        unknown,
      );
      expectOk(await call('LeaveOrganization', { userId, organizationId: b.organization.id }, account.token));
      expect(await membership(b.organization.id, userId)).toBeUndefined();
      expectError(await whoAmI(orgToken), 'unauthenticated');
      // The account-level token itself lives on.
      expectOk(await whoAmI(account.token));
    });

    it('a token of one organization leaves only that one', async () => {
      const inviteId = await createInvite(a.organization.id, a.admin.token);
      const carol = await seedUser(server.store, server.clock, b.organization.id, 'member');
      expectOk(await call('JoinOrganization', { inviteId }, carol.token));
      const unknown = randomUUID();
      const userId = carol.user.id;
      expectSameNotFound(
        await call('LeaveOrganization', { userId, organizationId: a.organization.id }, carol.token),
        a.organization.id,
        await call('LeaveOrganization', { userId, organizationId: unknown }, carol.token),
        unknown,
      );
      expect(await membership(a.organization.id, userId)).toBeDefined();
    });

    it('keeps the last admin in, and leaves only the caller itself', async () => {
      const organization = await seedOrganization(server.store, server.clock, 'Solo');
      const solo = await seedUser(server.store, server.clock, organization.id, 'admin');
      expectError(
        await call('LeaveOrganization', { userId: solo.user.id }, solo.token),
        'failed_precondition',
        'last admin',
      );
      expect((await membership(organization.id, solo.user.id))?.role).toBe('admin');
      const second = await seedUser(server.store, server.clock, organization.id, 'admin');
      expectOk(await call('LeaveOrganization', { userId: solo.user.id }, solo.token));
      expect(await membership(organization.id, solo.user.id)).toBeUndefined();

      // Anyone else's ID, in the organization, elsewhere or unknown: refused alike, before any lookup.
      for (const userId of [solo.user.id, a.member.user.id, randomUUID()]) {
        expect((await call('LeaveOrganization', { userId }, second.token)).body).toEqual({
          code: 'permission_denied',
          message:
            'a user leaves only by itself: userId must be its own (an admin removes members with OrganizationService/RemoveMember)',
        });
      }
      expectError(
        await call('LeaveOrganization', { userId: second.user.id }, second.token),
        'failed_precondition',
        'last admin',
      );
    });

    it('refuses the installation admin and machine credentials', async () => {
      expectError(
        await call(
          'LeaveOrganization',
          { userId: a.member.user.id, organizationId: a.organization.id },
          server.adminToken,
        ),
        'permission_denied',
        'RemoveMember',
      );
      for (const token of [a.serviceAccount.token, a.runner.token, a.environment.token]) {
        expectError(
          await call('LeaveOrganization', { userId: a.member.user.id }, token),
          'permission_denied',
        );
      }
      expect(await membership(a.organization.id, a.member.user.id)).toBeDefined();
    });
  });

  describe('UpdateOrganization', () => {
    it('lets admins rename and set invite domains; members may not; everyone else gets not_found', async () => {
      const organization = await seedOrganization(server.store, server.clock, 'Old');
      const admin = await seedUser(server.store, server.clock, organization.id, 'admin');
      const member = await seedUser(server.store, server.clock, organization.id, 'member');
      const organizationId = organization.id;
      const renamed = expectOk(
        await call('UpdateOrganization', { organizationId, name: ' New ' }, admin.token),
      );
      expect(renamed.organization).toEqual({
        id: organizationId,
        name: 'New',
        createdAt: organization.createdAt.toISOString(),
      });
      expectOk(
        await call(
          'UpdateOrganization',
          { organizationId, inviteDomains: { domains: ['new.example'] } },
          server.adminToken,
        ),
      );
      // A name alone keeps the domains; an empty list clears them (then absent from the answer).
      const kept = expectOk(
        await call('UpdateOrganization', { organizationId, name: 'Newer', inviteDomains: null }, admin.token),
      );
      expect(kept.organization.inviteDomains).toEqual({ domains: ['new.example'] });
      expect(expectOk(await call('GetOrganization', { organizationId }, member.token)).organization).toEqual(
        kept.organization,
      );
      const cleared = expectOk(
        await call('UpdateOrganization', { organizationId, inviteDomains: { domains: [] } }, admin.token),
      );
      expect(cleared.organization).not.toHaveProperty('inviteDomains');
      expect((await server.store.organizations.get(organizationId)).inviteDomains).toBeUndefined();

      expectError(
        await call('UpdateOrganization', { organizationId, name: 'x' }, member.token),
        'permission_denied',
      );
      for (const token of [b.admin.token, b.serviceAccount.token]) {
        const unknown = randomUUID();
        expectSameNotFound(
          await call('UpdateOrganization', { organizationId, name: 'x' }, token),
          organizationId,
          await call('UpdateOrganization', { organizationId: unknown, name: 'x' }, token),
          unknown,
        );
      }
      expect((await server.store.organizations.get(organizationId)).name).toBe('Newer');
    });

    it.each([
      [
        { inviteDomains: { domains: ['*.acme.example'] } },
        'inviteDomains.domains.0: "*.acme.example" is not a domain name',
      ],
      [{ inviteDomains: { domains: ['ada@acme.example'] } }, 'is not a domain name'],
      [{ inviteDomains: { domains: ['acme'] } }, '"acme" is not a domain name'],
      [{ inviteDomains: { domains: ['acme.example.'] } }, 'is not a domain name'],
      [{ inviteDomains: { domains: ['-acme.example'] } }, 'is not a domain name'],
      [{ inviteDomains: { domains: [`${'a'.repeat(64)}.example`] } }, 'is not a domain name'],
      [{ inviteDomains: { domains: 'acme.example' } }, 'inviteDomains.domains: must be an array'],
      [
        { inviteDomains: { domains: Array.from({ length: 51 }, (_, i) => `d${i}.example`) } },
        'must name at most 50 domains',
      ],
      [{ name: '' }, 'name: must not be empty'],
      [{ name: 'x'.repeat(81) }, 'name: must be at most 80 characters'],
    ])('refuses %j and changes nothing', async (change, message) => {
      const organizationId = a.organization.id;
      const before = await server.store.organizations.get(organizationId);
      const response = await call('UpdateOrganization', { organizationId, ...change }, a.admin.token);
      expect(response.status).toBe(400);
      expectError(response, 'invalid_argument', message);
      expect(await server.store.organizations.get(organizationId)).toEqual(before);
    });
  });

  it('never writes an invite ID into the log, even at trace', async () => {
    const inviteId = await createInvite(a.organization.id, a.admin.token);
    const account = await newAccount();
    await call('GetOrganizationInviteSummary', { inviteId }, account.token);
    await call('JoinOrganization', { inviteId }, account.token);
    await call('JoinOrganization', { inviteId }, account.token); // refused: already a member
    server.clock.advance(week);
    try {
      await call('JoinOrganization', { inviteId }, b.member.token); // refused: expired
    } finally {
      server.clock.advance(-week);
    }
    const log = logLines.join('');
    expect(log).toContain('request refused');
    expect(log).not.toContain(inviteId);
  });
});

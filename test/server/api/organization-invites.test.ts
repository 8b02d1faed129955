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

  // Who may create, read and use an invite, and for how long: test/services/invites.test.ts.
  describe('CreateOrganizationInvite and GetOrganizationInvite', () => {
    it('answer the invite’s ID and when it expires', async () => {
      const organization = await seedOrganization(server.store, server.clock, 'Invites');
      const admin = await seedUser(server.store, server.clock, organization.id, 'admin');
      const organizationId = organization.id;
      const got = expectOk(await call('GetOrganizationInvite', { organizationId }, admin.token));
      expect(got).toEqual({
        invite: {
          inviteId: expect.stringMatching(/^[0-9a-f-]{36}$/),
          expiresAt: new Date(server.clock.now().getTime() + week).toISOString(),
        },
      });
      const created = expectOk(await call('CreateOrganizationInvite', { organizationId }, admin.token));
      expect(created).toEqual({ invite: { inviteId: expect.any(String), expiresAt: got.invite.expiresAt } });
      expect(created.invite.inviteId).not.toBe(got.invite.inviteId);
      expect(await server.store.organizationInvites.list({ organizationId })).toEqual({
        items: [expect.objectContaining({ id: created.invite.inviteId })],
      });
    });

    it('refuse a malformed organization ID, and answer a member and another organization as the service does', async () => {
      const organizationId = a.organization.id;
      for (const method of ['CreateOrganizationInvite', 'GetOrganizationInvite']) {
        expectError(
          await call(method, { organizationId: 'x' }, a.admin.token),
          'invalid_argument',
          'organizationId: must be a UUID',
        );
        expectError(await call(method, { organizationId }, a.member.token), 'permission_denied');
        const unknown = randomUUID();
        expectSameNotFound(
          await call(method, { organizationId }, b.admin.token),
          organizationId,
          await call(method, { organizationId: unknown }, b.admin.token),
          unknown,
        );
      }
      expect(await server.store.organizationInvites.findOne({ organizationId })).toBeUndefined();
    });
  });

  describe('GetOrganizationInviteSummary', () => {
    it('answers the organization’s ID and name to an account-level token, and needs an invite ID', async () => {
      const inviteId = await createInvite(a.organization.id, a.admin.token);
      const account = await newAccount();
      expect(expectOk(await call('GetOrganizationInviteSummary', { inviteId }, account.token))).toEqual({
        organizationId: a.organization.id,
        organizationName: 'A',
      });
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

    it('by e-mail domain: the domains are kept in lower case, once each, and a verified address at one joins', async () => {
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
      // Who else may join by domain (none by a subdomain, unverified addresses by invite only):
      // test/services/joining.test.ts.
    });

    it('refuses bad requests, joining nothing', async () => {
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
      expect(await membership(a.organization.id, account.id)).toBeUndefined();
    });
  });

  // The last-admin rule, leaving only oneself, and who may not leave: test/services/joining.test.ts.
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

import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { connectCall, sdkClient, setUpEnvironmentThroughApi } from '../support/api-setup.ts';
import { engines } from '../support/databases.ts';
import { startEnvidOn } from '../support/envid-process.ts';

// A real server process; PGlite's first start alone takes seconds on a busy machine.
vi.setConfig({ testTimeout: 180_000 });

describe.each(engines)('joining an organization with the Ona SDK against envid serve on %s', (engine) => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('from a fresh installation: invite, summary, join, a token of the organization, set role, leave', async () => {
    const { server } = await startEnvidOn(engine, cleanups);
    cleanups.push(async () => {
      expect(await server.stop()).toBe(0);
    });
    const {
      organizationId,
      pat: adaPat,
      userId: adaId,
    } = await setUpEnvironmentThroughApi(server.url, server.adminToken);
    const ada = sdkClient(server.url, adaPat);

    // The installation admin creates Ben and his first, account-level token.
    const { user: ben } = await connectCall(server.url, server.adminToken, 'UserService/CreateUser', {
      email: 'ben@partner.example',
      name: 'Ben',
    });
    const { token: benAccountToken } = await connectCall(
      server.url,
      server.adminToken,
      'UserService/CreatePersonalAccessToken',
      { userId: ben.id, description: 'first login' },
    );
    const benAccount = sdkClient(server.url, benAccountToken);
    expect(await benAccount.identity.getAuthenticatedIdentity({})).toEqual({
      subject: { id: ben.id, principal: 'PRINCIPAL_USER' },
    });
    await expect(benAccount.identity.getIDToken({ audience: ['vault'] })).rejects.toMatchObject({
      status: 403,
    });

    // Ada, an admin, cannot add Ben by ID: he is outside her organization, so he is not found.
    await expect(
      ada.post('/gitpod.v1.OrganizationService/AddMember', { body: { organizationId, userId: ben.id } }),
    ).rejects.toMatchObject({ status: 404, error: { code: 'not_found' } });

    const { invite } = await ada.organizations.invites.create({ organizationId });
    expect(invite.inviteId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await ada.organizations.invites.retrieve({ organizationId })).invite.inviteId).toBe(
      invite.inviteId,
    );
    expect(await benAccount.organizations.invites.getSummary({ inviteId: invite.inviteId })).toEqual({
      organizationId,
      organizationName: 'Acme',
    });
    const { member } = await benAccount.organizations.join({ inviteId: invite.inviteId });
    expect(member).toMatchObject({
      userId: ben.id,
      email: 'ben@partner.example',
      role: 'ORGANIZATION_ROLE_MEMBER',
    });

    // With his account-level token, Ben makes himself a token of the organization, and asks for ID tokens.
    const { token: benPat } = await connectCall(
      server.url,
      benAccountToken,
      'UserService/CreatePersonalAccessToken',
      {
        organizationId,
        description: 'laptop',
      },
    );
    const benInOrg = sdkClient(server.url, benPat);
    expect((await benInOrg.users.getAuthenticatedUser({})).user).toMatchObject({
      id: ben.id,
      organizationId,
    });
    const { token } = await benInOrg.identity.getIDToken({ audience: ['sts.amazonaws.com'] });
    const jwks = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(token!, jwks, { issuer: server.url, audience: 'sts.amazonaws.com' });
    expect(payload).toMatchObject({
      sub: `organization_id:${organizationId}:user_id:${ben.id}`,
      user_id: ben.id,
    });

    await ada.organizations.setRole({ organizationId, userId: ben.id, role: 'ORGANIZATION_ROLE_ADMIN' });
    const roles: Record<string, string> = {};
    for await (const m of ada.organizations.listMembers({ organizationId })) roles[m.userId] = m.role;
    expect(roles).toEqual({ [adaId]: 'ORGANIZATION_ROLE_ADMIN', [ben.id]: 'ORGANIZATION_ROLE_ADMIN' });

    const { organization } = await ada.organizations.update({
      organizationId,
      inviteDomains: { domains: ['acme.example'] },
    });
    expect(organization.inviteDomains).toEqual({ domains: ['acme.example'] });

    // Ben leaves; his token of the organization goes with the membership, his account-level one stays.
    await benInOrg.organizations.leave({ userId: ben.id });
    await expect(benInOrg.users.getAuthenticatedUser({})).rejects.toMatchObject({ status: 401 });
    expect(await benAccount.identity.getAuthenticatedIdentity({})).toMatchObject({ subject: { id: ben.id } });
    // Ada is the last admin again: she may not leave.
    await expect(ada.organizations.leave({ userId: adaId })).rejects.toMatchObject({
      status: 400,
      error: { code: 'failed_precondition', message: expect.stringContaining('last admin') },
    });
  });
});

import { Gitpod } from '@gitpod/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiTestServer, startApiTestServer } from '../../support/api-server.ts';

/** The official SDK against a listening server: the wire format is what real clients get. */
describe('@gitpod/sdk against OrganizationService and UserService', () => {
  let server: ApiTestServer;
  let baseURL: string;
  beforeAll(async () => {
    server = await startApiTestServer();
    const address = await server.app.listen({ port: 0, host: '127.0.0.1' });
    baseURL = `${address}/api`;
  });
  afterAll(() => server.close());

  const client = (bearerToken: string) => new Gitpod({ bearerToken, baseURL, maxRetries: 0 });

  it('creates and reads an organization, a member and its token', async () => {
    const admin = client(server.adminToken);
    const { organization } = await admin.organizations.create({ name: 'SDK Org' });
    expect(organization).toEqual({ id: expect.any(String), name: 'SDK Org', createdAt: expect.any(String) });
    expect((await admin.organizations.retrieve({ organizationId: organization.id })).organization).toEqual(
      organization,
    );

    // Methods the SDK lacks are plain Connect calls through the same client.
    const { user } = await admin.post<{ user: { id: string } }>('/gitpod.v1.UserService/CreateUser', {
      body: { email: 'sdk@example.com', name: 'SDK User' },
    });
    await admin.post('/gitpod.v1.OrganizationService/AddMember', {
      body: { organizationId: organization.id, userId: user.id },
    });
    await admin.organizations.setRole({
      organizationId: organization.id,
      userId: user.id,
      role: 'ORGANIZATION_ROLE_ADMIN',
    });
    const { token } = await admin.post<{ token: string }>(
      '/gitpod.v1.UserService/CreatePersonalAccessToken',
      {
        body: { userId: user.id, organizationId: organization.id, description: 'sdk' },
      },
    );

    const asUser = client(token);
    expect(await asUser.identity.getAuthenticatedIdentity({})).toEqual({
      organizationId: organization.id,
      subject: { id: user.id, principal: 'PRINCIPAL_USER' },
    });
    expect((await asUser.users.getAuthenticatedUser({})).user).toEqual(
      expect.objectContaining({ id: user.id, name: 'SDK User', organizationId: organization.id }),
    );
    const members = [];
    for await (const member of asUser.organizations.listMembers({ organizationId: organization.id })) {
      members.push(member);
    }
    expect(members).toEqual([expect.objectContaining({ userId: user.id, role: 'ORGANIZATION_ROLE_ADMIN' })]);

    const pats = [];
    for await (const pat of asUser.users.pats.list({})) pats.push(pat);
    expect(pats).toHaveLength(1);
    const patId = pats[0]!.id!;
    expect((await asUser.users.pats.get({ personalAccessTokenId: patId })).pat.id).toBe(patId);
    await asUser.users.pats.delete({ personalAccessTokenId: patId });
    await expect(asUser.identity.getAuthenticatedIdentity({})).rejects.toMatchObject({ status: 401 });
  });

  it('pages through every member with the SDK’s auto-pagination', async () => {
    const admin = client(server.adminToken);
    const { organization } = await admin.organizations.create({ name: 'Paged' });
    const userIds: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { user } = await admin.post<{ user: { id: string } }>('/gitpod.v1.UserService/CreateUser', {
        body: { email: `paged-${i}@example.com`, name: `Paged ${i}` },
      });
      await admin.post('/gitpod.v1.OrganizationService/AddMember', {
        body: { organizationId: organization.id, userId: user.id },
      });
      userIds.push(user.id);
    }
    const seen: string[] = [];
    for await (const member of admin.organizations.listMembers({
      organizationId: organization.id,
      pageSize: 2,
    })) {
      seen.push(member.userId);
    }
    expect(seen.sort()).toEqual(userIds.sort());
  });

  it('surfaces Connect errors as the SDK’s API errors', async () => {
    const admin = client(server.adminToken);
    await expect(admin.organizations.retrieve({ organizationId: 'nope' })).rejects.toMatchObject({
      status: 400,
      error: { code: 'invalid_argument', message: expect.stringContaining('organizationId: must be a UUID') },
    });
  });
});

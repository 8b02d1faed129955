import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOk } from '../../support/api-expect.ts';
import type { ApiTestServer } from '../../support/api-server.ts';
import { engines } from '../../support/databases.ts';
import { type SeededOrganization, startSeededApiServer, tokensByRole } from '../../support/principals.ts';

/**
 * Every method that takes a user ID answers a user of another organization exactly like an ID that does
 * not exist: the same status and the same body but for the ID, for every kind of caller of organization
 * a (and for an account-level token of one of a's users). Nothing of the other user (its e-mail, its
 * name) comes back, and nothing is written.
 */
describe.each(engines)('user IDs across organizations on %s', (engine) => {
  let server: ApiTestServer;
  let a: SeededOrganization;
  let b: SeededOrganization;
  let accountToken: string;
  beforeAll(async () => {
    ({ server, a, b } = await startSeededApiServer(engine));
    ({ token: accountToken } = expectOk(
      await server.call(
        'UserService/CreatePersonalAccessToken',
        { userId: a.member.user.id, description: 'account' },
        server.adminToken,
      ),
    ));
  });
  afterAll(() => server.close());

  const methods: [string, (userId: string) => unknown][] = [
    ['UserService/GetUser', (userId) => ({ userId })],
    ['UserService/DeleteUser', (userId) => ({ userId })],
    ['OrganizationService/AddMember', (userId) => ({ organizationId: a.organization.id, userId })],
    [
      'OrganizationService/SetRole',
      (userId) => ({ organizationId: a.organization.id, userId, role: 'ORGANIZATION_ROLE_ADMIN' }),
    ],
    ['OrganizationService/RemoveMember', (userId) => ({ organizationId: a.organization.id, userId })],
    ['OrganizationService/LeaveOrganization', (userId) => ({ userId })],
    ['OrganizationService/LeaveOrganization', (userId) => ({ userId, organizationId: a.organization.id })],
    [
      'UserService/CreatePersonalAccessToken',
      (userId) => ({ organizationId: a.organization.id, userId, description: 'x' }),
    ],
    ['UserService/ListPersonalAccessTokens', (userId) => ({ filter: { userIds: [userId] } })],
    [
      'AuditService/ListAuditEvents',
      (userId) => ({ organizationId: a.organization.id, filter: { principalId: userId } }),
    ],
  ];

  // By index: the bodies need the seeded records, made later.
  it.each(methods.map(([method], i) => [method, i]))('%s (case %i)', async (_name, i) => {
    const [method, body] = methods[i as number]!;
    const callers = { ...tokensByRole(server, a, b), accountLevel: accountToken };
    const { installationAdmin: _, otherOrgUser: __, ...inA } = callers;
    const outsider = b.member.user;
    const before = JSON.stringify(await server.store.memberships.list({}, { pageSize: 100 }));
    for (const [who, token] of Object.entries(inA)) {
      const unknown = randomUUID();
      const other = await server.call(method, body(outsider.id), token);
      const missing = await server.call(method, body(unknown), token);
      const shown = (response: { status: number; body: unknown }, id: string) =>
        JSON.stringify(response).replaceAll(id, '<user>');
      expect(shown(other, outsider.id), who).toBe(shown(missing, unknown));
      expect(other.status, `${who}: ${JSON.stringify(other.body)}`).not.toBe(500);
      expect(JSON.stringify(other.body), who).not.toContain(outsider.email);
    }
    expect(JSON.stringify(await server.store.memberships.list({}, { pageSize: 100 }))).toBe(before);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectOk } from '../../support/api-expect.ts';
import type { ApiTestServer } from '../../support/api-server.ts';
import { engines } from '../../support/databases.ts';
import {
  type PrincipalRole,
  type SeededOrganization,
  startSeededApiServer,
  tokensByRole,
} from '../../support/principals.ts';

const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe.each(engines)('AuditService/ListAuditEvents on %s', (engine) => {
  let server: ApiTestServer;
  let a: SeededOrganization;
  let b: SeededOrganization;
  let tokens: Record<PrincipalRole, string>;
  const issued: string[] = [];
  let afterTokens: Date;
  const list = (body: unknown, token = a.admin.token) =>
    server.call('AuditService/ListAuditEvents', body, token);
  const getToken = async (token: string) => {
    const body = expectOk(await server.call('IdentityService/GetIDToken', { audience: ['vault'] }, token));
    issued.push(body.token);
  };

  beforeAll(async () => {
    ({ server, a, b } = await startSeededApiServer(engine));
    tokens = tokensByRole(server, a, b);
    await getToken(a.environment.token);
    server.clock.advance(60_000);
    await getToken(a.serviceAccount.token);
    await getToken(b.runner.token);
    afterTokens = new Date(server.clock.now().getTime() + 1);
    server.clock.advance(60_000);
    expectOk(
      await server.call(
        'OrganizationService/UpdateOIDCConfig',
        { organizationId: a.organization.id, oidcConfig: { v2: {} }, confirmSubChange: true },
        a.admin.token,
      ),
    );
  });
  afterAll(() => server.close());

  it.each([
    ['installationAdmin', 200],
    ['orgAdmin', 200],
    ['orgMember', 403],
    ['otherOrgUser', 404],
    ['serviceAccount', 404],
    ['runner', 404],
    ['environment', 404],
  ] as const)('answers %s with %i for organization a', async (role, status) => {
    const response = await list({ organizationId: a.organization.id }, tokens[role]);
    expect(response.status, JSON.stringify(response.body)).toBe(status);
    if (status === 403) expectError(response, 'permission_denied');
    if (status === 404) expectError(response, 'not_found', a.organization.id);
  });

  it("lists an organization's events, oldest first, with RFC 3339 times and no secret", async () => {
    const body = expectOk(await list({ organizationId: a.organization.id }));
    expect(body.events.map((e: { kind: string }) => e.kind)).toEqual([
      'token.issued',
      'token.issued',
      'oidc_config.updated',
    ]);
    expect(body.pagination).toEqual({});
    const [first, , update] = body.events;
    expect(first).toEqual({
      id: expect.any(String),
      kind: 'token.issued',
      organizationId: a.organization.id,
      principal: { principal: 'PRINCIPAL_ENVIRONMENT', id: a.environment.environment.id },
      // The principal asked for its own token: it is also the actor.
      actor: { principal: 'PRINCIPAL_ENVIRONMENT', id: a.environment.environment.id },
      details: {
        jti: expect.any(String),
        audiences: ['vault'],
        sub: `organization_id:${a.organization.id}`,
        iat: expect.any(Number),
        exp: expect.any(Number),
        clientAddress: expect.any(String),
      },
      createdAt: expect.stringMatching(rfc3339),
    });
    expect(update).toMatchObject({
      kind: 'oidc_config.updated',
      actor: { principal: 'PRINCIPAL_USER', id: a.admin.user.id },
      details: {
        before: { v3: { extraSubFields: [] } },
        after: { v2: {} },
        subChanges: 5,
        subChangeConfirmed: true,
      },
    });
    const text = JSON.stringify(body);
    for (const secret of [...issued, ...Object.values(tokens)]) expect(text).not.toContain(secret);
  });

  it('lets the installation admin read every organization and the server events', async () => {
    const body = expectOk(await list({ pagination: { pageSize: 100 } }, server.adminToken));
    const orgs = new Set(body.events.map((e: { organizationId?: string }) => e.organizationId));
    expect(orgs).toContain(a.organization.id);
    expect(orgs).toContain(b.organization.id);
    expect(body.events.some((e: { kind: string }) => e.kind === 'key.created')).toBe(true);
  });

  it('requires organizationId for an organization admin', async () => {
    expectError(await list({}), 'invalid_argument', 'organizationId');
  });

  it('filters by one kind, several kinds, principal and time range', async () => {
    const kinds = async (filter: object, token = a.admin.token) =>
      expectOk(await list({ organizationId: a.organization.id, filter }, token)).events.map(
        (e: { kind: string; principal?: { id: string } }) => `${e.kind}:${e.principal?.id ?? '-'}`,
      );
    const env = a.environment.environment.id;
    const sa = a.serviceAccount.serviceAccount.id;
    expect(await kinds({ kinds: ['oidc_config.updated'] })).toEqual(['oidc_config.updated:-']);
    expect(await kinds({ kinds: ['token.issued', 'oidc_config.updated'] })).toHaveLength(3);
    expect(await kinds({ kinds: ['token.issued', 'key.created'] })).toEqual([
      `token.issued:${env}`,
      `token.issued:${sa}`,
    ]);
    expect(await kinds({ principalId: sa })).toEqual([`token.issued:${sa}`]);
    expect(await kinds({ to: afterTokens.toISOString() })).toEqual([
      `token.issued:${env}`,
      `token.issued:${sa}`,
    ]);
    expect(await kinds({ from: afterTokens.toISOString() })).toEqual(['oidc_config.updated:-']);
    const { events } = expectOk(
      await list(
        { filter: { kinds: ['token.issued', 'oidc_config.updated'] }, pagination: { pageSize: 100 } },
        server.adminToken,
      ),
    );
    expect(
      events.filter((e: { organizationId: string }) => e.organizationId === b.organization.id),
    ).toHaveLength(1);
  });

  it('pages with nextToken, also when several kinds are filtered', async () => {
    for (const filter of [{}, { kinds: ['token.issued', 'oidc_config.updated'] }]) {
      const seen: string[] = [];
      let token: string | undefined;
      do {
        const body = expectOk(
          await list({
            organizationId: a.organization.id,
            filter,
            pagination: { pageSize: 1, ...(token ? { token } : {}) },
          }),
        );
        expect(body.events.length).toBeLessThanOrEqual(1);
        seen.push(...body.events.map((e: { id: string }) => e.id));
        token = body.pagination.nextToken;
      } while (token);
      expect(seen).toHaveLength(3);
      expect(new Set(seen).size).toBe(3);
    }
  });

  it.each([
    [{ organizationId: 'nope' }, 'organizationId'],
    [{ filter: { kinds: ['token.minted'] } }, 'filter.kinds'],
    [{ filter: { principalId: 'x' } }, 'filter.principalId'],
    [{ filter: { from: 'yesterday' } }, 'filter.from'],
    [{ filter: { to: '2026-13-01' } }, 'filter.to'],
    [{ filter: { from: '2026-11-02T00:00:00Z', to: '2026-11-01T00:00:00Z' } }, 'filter.to'],
    [{ pagination: { pageSize: 0 } }, 'pageSize'],
    [{ pagination: { token: 'not-a-token' } }, 'token'],
  ])('refuses bad input %j, naming the field', async (body, field) => {
    const response = await list({ organizationId: a.organization.id, ...body });
    expectError(response, 'invalid_argument', field);
  });
});

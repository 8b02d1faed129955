import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePageToken } from '../../../src/store/sql/collection.ts';
import { expectError, expectOk } from '../../support/api-expect.ts';
import type { ApiTestServer } from '../../support/api-server.ts';
import { engines } from '../../support/databases.ts';
import { type SeededOrganization, startSeededApiServer } from '../../support/principals.ts';

/**
 * Page tokens carry a time and an ID that go into the list query. A made-up one (a date PostgreSQL or
 * JavaScript cannot hold, one not in the calendar, an ID of the wrong shape) is refused as
 * invalid_argument on every List method; it used to fail the query (500).
 */
const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

const hostileTokens: [string, string][] = [
  ['the earliest JavaScript date', encode(['-271821-04-20T00:00:00.000Z', randomUUID()])],
  ['the latest JavaScript date', encode(['+275760-09-13T00:00:00.000Z', randomUUID()])],
  ['year 0000 (PostgreSQL has none)', encode(['0000-01-01T00:00:00.000Z', randomUUID()])],
  ['year 10000', encode(['+010000-01-01T00:00:00.000Z', randomUUID()])],
  ['31 February', encode(['2026-02-31T00:00:00.000Z', randomUUID()])],
  ['a time not spelled as given out', encode(['2026-11-01T00:00:00+00:00', randomUUID()])],
  ['an ID with a NUL', encode(['2026-11-01T00:00:00.000Z', `${randomUUID()}\u0000`])],
  ['an ID with an unpaired surrogate', encode(['2026-11-01T00:00:00.000Z', '\ud800'])],
  ['an ID that is no UUID', encode(['2026-11-01T00:00:00.000Z', 'x'])],
  ['a third member', encode(['2026-11-01T00:00:00.000Z', randomUUID(), 1])],
  ['an object', encode({ createdAt: '2026-11-01T00:00:00.000Z', id: randomUUID() })],
  ['padding', `${encodePageToken(new Date('2026-11-01T00:00:00.000Z'), randomUUID())}=`],
  ['no base64url', 'not a token!'],
  ['a very long token', 'A'.repeat(50_000)],
];

describe.each(engines)('page tokens on %s', (engine) => {
  let server: ApiTestServer;
  let a: SeededOrganization;
  beforeAll(async () => {
    ({ server, a } = await startSeededApiServer(engine));
  });
  afterAll(() => server.close());

  /** Every List method that pages, with a body it takes and a caller who may list. */
  const listMethods: { method: string; body: () => object; token: () => string }[] = [
    { method: 'AuditService/ListAuditEvents', body: () => ({}), token: () => server.adminToken },
    {
      method: 'EnvironmentService/ListEnvironmentAccessTokens',
      body: () => ({ environmentId: a.environment.environment.id }),
      token: () => a.admin.token,
    },
    { method: 'EnvironmentService/ListEnvironments', body: () => ({}), token: () => a.admin.token },
    {
      method: 'OrganizationService/ListMembers',
      body: () => ({ organizationId: a.organization.id }),
      token: () => a.admin.token,
    },
    { method: 'OrganizationService/ListOrganizations', body: () => ({}), token: () => server.adminToken },
    {
      method: 'OrganizationService/ListAudienceProfiles',
      body: () => ({ organizationId: a.organization.id }),
      token: () => a.admin.token,
    },
    {
      method: 'OrganizationService/ListSSOConfigurations',
      body: () => ({ organizationId: a.organization.id }),
      token: () => a.admin.token,
    },
    { method: 'UserService/ListPersonalAccessTokens', body: () => ({}), token: () => a.admin.token },
    { method: 'ProjectService/ListProjects', body: () => ({}), token: () => a.admin.token },
    { method: 'RunnerService/ListRunners', body: () => ({}), token: () => a.admin.token },
    {
      method: 'RunnerService/ListRunnerTokens',
      body: () => ({ runnerId: a.runner.runner.id }),
      token: () => a.admin.token,
    },
    {
      method: 'ServiceAccountService/ListServiceAccountTokens',
      body: () => ({ serviceAccountId: a.serviceAccount.serviceAccount.id }),
      token: () => a.admin.token,
    },
    { method: 'ServiceAccountService/ListServiceAccounts', body: () => ({}), token: () => a.admin.token },
    { method: 'UserService/ListUsers', body: () => ({}), token: () => server.adminToken },
  ];

  it('covers every List method the server has that pages', () => {
    const paging = server.app
      .printRoutes({ commonPrefix: false })
      .split('\n')
      .flatMap((line) => /gitpod\.v1\.(\w+\/List\w+)/.exec(line)?.[1] ?? []);
    expect(paging.filter((method) => method !== 'SigningKeyService/ListSigningKeys').sort()).toEqual(
      listMethods.map((m) => m.method).sort(),
    );
  });

  describe.each(listMethods)('$method', ({ method, body, token }) => {
    it.each(hostileTokens)('refuses a token with %s (body and query)', async (_what, pageToken) => {
      const inBody = await server.call(method, { ...body(), pagination: { token: pageToken } }, token());
      expect(inBody.status).toBe(400);
      expectError(inBody, 'invalid_argument', 'pagination.token: is not a token this server gave out');
      const inQuery = await server.app.inject({
        method: 'POST',
        url: `/api/gitpod.v1.${method}?token=${encodeURIComponent(pageToken)}`,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token()}` },
        payload: body(),
      });
      expect(inQuery.statusCode, inQuery.body).toBe(400);
    });

    it('takes a token at the first and the last time the database holds', async () => {
      const id = method.includes('SigningKey') ? 'kid' : randomUUID();
      for (const time of ['0001-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z']) {
        const pageToken = encodePageToken(new Date(time), id);
        expectOk(await server.call(method, { ...body(), pagination: { token: pageToken } }, token()));
      }
    });
  });

  describe('ListAuditEvents time filters', () => {
    const list = (filter: object) =>
      server.call('AuditService/ListAuditEvents', { filter }, server.adminToken);
    const range = 'must be between 0001-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z';

    it.each([
      ['from', '0000-01-01T00:00:00Z'],
      ['from', '0001-01-01T00:30:00+01:00'],
      ['to', '9999-12-31T23:30:00-01:00'],
      ['to', '0000-12-31T23:59:59.999Z'],
    ])('refuses filter.%s %s, naming the field and the range', async (field, time) => {
      const response = await list({ [field]: time });
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ code: 'invalid_argument', message: `filter.${field}: ${range}` });
    });

    it.each([
      ['from', '2026-02-31T00:00:00Z'],
      ['from', '2026-11-01T24:00:00Z'],
      ['to', '2026-12-31T23:59:60Z'],
      ['to', '2026-11-01T00:00:00+24:00'],
      ['to', '+275760-09-13T00:00:00.000Z'],
      ['to', '-271821-04-20T00:00:00.000Z'],
    ])('refuses filter.%s %s, which is no RFC 3339 time', async (field, time) => {
      const response = await list({ [field]: time });
      expect(response.body).toEqual({
        code: 'invalid_argument',
        message: `filter.${field}: must be an RFC 3339 time such as "2026-11-01T09:30:00Z"`,
      });
    });

    it('takes the first and the last time the database holds, and offsets', async () => {
      expectOk(await list({ from: '0001-01-01T00:00:00Z', to: '9999-12-31T23:59:59.999Z' }));
      expectOk(await list({ from: '0001-01-01T01:00:00+01:00', to: '9999-12-31T22:59:59.999-01:00' }));
      const all = expectOk(await list({ from: '2026-10-31T23:00:00-01:00' })).events;
      const none = expectOk(await list({ from: '2026-11-01T00:00:00.001Z' })).events;
      expect(all.length).toBeGreaterThan(0);
      expect(none).toEqual([]);
    });
  });
});

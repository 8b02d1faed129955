import type { FastifyInstance } from 'fastify';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSharedTestDatabase, type SharedTestDatabase } from '../support/api-server.ts';
import { type OrganizationFixture, seedTokenOrganization } from '../support/token-fixtures.ts';

// One database and organization for the file (a fresh PGlite costs seconds); each block starts its own
// server on it with its own proxy settings.
let database: SharedTestDatabase;
let org: OrganizationFixture;
beforeAll(async () => {
  database = await openSharedTestDatabase('pglite');
  org = await seedTokenOrganization(database.store, database.clock);
});
afterAll(() => database?.close());

/** The audit log's client address of a token asked for over real HTTP with these headers. */
async function clientAddressOf(app: FastifyInstance, headers: Record<string, string>): Promise<string> {
  const address = app.server.address() as { port: number };
  const response = await fetch(`http://127.0.0.1:${address.port}/api/gitpod.v1.IdentityService/GetIDToken`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${org.tokens.environment}`,
      ...headers,
    },
    body: '{"audience":["vault"]}',
  });
  expect(response.status).toBe(200);
  const { jti } = decodeJwt(((await response.json()) as { token: string }).token);
  const events = await database.store.auditEvents.list({
    kind: 'token.issued',
    principalId: org.environment.id,
  });
  return events.items.find((event) => event.details['jti'] === jti)!.details['clientAddress'] as string;
}

/**
 * A listening server that trusts `trusted`, for the enclosing describe block: answers the audit log's
 * client address of a token asked for with some headers.
 */
function serverTrusting(trusted: string[] | undefined): (headers: Record<string, string>) => Promise<string> {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await database.startServer(trusted ? { trustProxy: trusted } : {});
    await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => app.close());
  return (headers) => clientAddressOf(app, headers);
}

describe.each([
  { trusted: undefined, forwarded: '127.0.0.1', why: 'no proxy is trusted (the default)' },
  { trusted: ['10.0.0.0/8'], forwarded: '127.0.0.1', why: 'the peer is not a trusted proxy' },
  { trusted: ['127.0.0.1'], forwarded: '203.0.113.9', why: 'the peer is a trusted proxy' },
  { trusted: ['loopback'], forwarded: '203.0.113.9', why: 'the peer is in a trusted named range' },
])('the audit log’s client address when $why', ({ trusted, forwarded }) => {
  const clientAddress = serverTrusting(trusted);

  it(`is ${forwarded} for a request forwarded for 203.0.113.9`, async () => {
    expect(await clientAddress({ 'x-forwarded-for': '203.0.113.9' })).toBe(forwarded);
  });

  it('is the peer for a request without X-Forwarded-For', async () => {
    expect(await clientAddress({})).toBe('127.0.0.1');
  });
});

describe('the client address behind a chain of proxies', () => {
  const clientAddress = serverTrusting(['127.0.0.1', '10.0.0.0/8']);

  it('is the right-most address that is not a trusted proxy', async () => {
    const header = { 'x-forwarded-for': '192.0.2.7, 198.51.100.1, 10.1.2.3' };
    expect(await clientAddress(header)).toBe('198.51.100.1');
  });
});

import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateSecret } from '../../src/core/credentials.ts';
import type { ServerOptions } from '../../src/server/build-server.ts';
import { openSharedTestDatabase, type SharedTestDatabase } from '../support/api-server.ts';
import { type OrganizationFixture, seedTokenOrganization } from '../support/token-fixtures.ts';

interface Answer {
  status: number;
  retryAfter: string | undefined;
  body: { code?: string; message?: string; token?: string };
}

let database: SharedTestDatabase;
let org: OrganizationFixture;
beforeAll(async () => {
  database = await openSharedTestDatabase();
  org = await seedTokenOrganization(database.store, database.clock);
});
afterAll(() => database.close());

// Each test starts its own server: fresh counts.
let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function start(options: Partial<ServerOptions> = {}): Promise<void> {
  await app?.close();
  app = await database.startServer(options);
}

/** A Connect call through inject(), from `remoteAddress` (127.0.0.1 unless given), with its Retry-After. */
async function call(
  method: string,
  token: string | undefined,
  options: { remoteAddress?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<Answer> {
  const response = await app!.inject({
    method: 'POST',
    url: `/api/gitpod.v1.${method}`,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...options.headers,
    },
    payload: JSON.stringify(options.body ?? {}),
    ...(options.remoteAddress ? { remoteAddress: options.remoteAddress } : {}),
  });
  const retryAfter = response.headers['retry-after'];
  return { status: response.statusCode, retryAfter: retryAfter as string | undefined, body: response.json() };
}

const getToken = (token: string, options: { remoteAddress?: string } = {}) =>
  call('IdentityService/GetIDToken', token, { ...options, body: { audience: ['sts.amazonaws.com'] } });
const whoAmI = (
  token: string | undefined,
  options: { remoteAddress?: string; headers?: Record<string, string> } = {},
) => call('IdentityService/GetAuthenticatedIdentity', token, options);

async function repeat(times: number, request: () => Promise<Answer>): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (let i = 0; i < times; i++) answers.push(await request());
  return answers;
}

/** The refusal's Retry-After as a number, checked to be a whole number of seconds within the window. */
function expectRetryAfter(answer: Answer, windowSeconds: number): number {
  expect(answer.retryAfter).toMatch(/^\d+$/);
  const seconds = Number(answer.retryAfter);
  expect(seconds).toBeGreaterThanOrEqual(1);
  expect(seconds).toBeLessThanOrEqual(windowSeconds);
  return seconds;
}

describe('the ID token rate limit per principal (--token-rate-limit)', () => {
  it('refuses requests past the limit with resource_exhausted, Retry-After and a message naming the limit', async () => {
    await start({ limits: { tokens: { count: 3, seconds: 60 } } });
    const tokensIssued = async () =>
      (await database.store.auditEvents.list({ kind: 'token.issued', principalId: org.environment.id })).items
        .length;
    const before = await tokensIssued();
    const answers = await repeat(4, () => getToken(org.tokens.environment));
    expect(answers.slice(0, 3).map((answer) => answer.status)).toEqual([200, 200, 200]);
    const refused = answers[3]!;
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('resource_exhausted');
    const wait = expectRetryAfter(refused, 60);
    expect(refused.body.message).toBe(
      `too many ID token requests by this environment: at most 3 in 60 s per principal (envid serve --token-rate-limit); retry in ${wait} s`,
    );
    // A refused request issues nothing: the audit log holds the three tokens only.
    expect((await tokensIssued()) - before).toBe(3);
  });

  it('counts each principal apart', async () => {
    await start({ limits: { tokens: { count: 2, seconds: 60 } } });
    await repeat(3, () => getToken(org.tokens.environment));
    expect((await getToken(org.tokens.serviceAccount)).status).toBe(200);
    expect((await getToken(org.tokens.runner)).status).toBe(200);
    expect((await getToken(org.tokens.admin)).status).toBe(200);
    expect((await getToken(org.tokens.environment)).status).toBe(429);
  });

  it('holds 100 requests in 10 s by default, and none when off', async () => {
    await start();
    const answers = await repeat(101, () => getToken(org.tokens.serviceAccount));
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(100);
    expect(answers[100]!.status).toBe(429);
    expect(answers[100]!.body.message).toContain('at most 100 in 10 s per principal');

    await start({ limits: { tokens: 'off' } });
    const all = await repeat(101, () => getToken(org.tokens.serviceAccount));
    expect(all.every((answer) => answer.status === 200)).toBe(true);
  });
});

describe('the failed authentication limit per client address (--auth-failure-limit)', () => {
  const unknown = () => generateSecret('environment');

  it('refuses an address after its failures, even with a valid credential, and names the address and the limit', async () => {
    await start({ limits: { authFailures: { count: 3, seconds: 60 } } });
    const failures = [await whoAmI(unknown()), await whoAmI(undefined), await whoAmI('not-an-envid-token')];
    expect(failures.map((answer) => answer.status)).toEqual([401, 401, 401]);
    const lookups = vi.spyOn(database.store.credentials, 'findOne');
    const refused = await whoAmI(org.tokens.serviceAccount);
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('resource_exhausted');
    const wait = expectRetryAfter(refused, 60);
    expect(refused.body.message).toBe(
      `too many failed authentications from 127.0.0.1: at most 3 in 60 s per client address (envid serve --auth-failure-limit); retry in ${wait} s`,
    );
    // Refused before any look-up: a flood from one address costs the database nothing.
    expect((await whoAmI(unknown())).status).toBe(429);
    expect(lookups).not.toHaveBeenCalled();
    // Other addresses are not affected.
    expect((await whoAmI(org.tokens.serviceAccount, { remoteAddress: '192.0.2.7' })).status).toBe(200);
  });

  it('never counts successful authentications', async () => {
    await start({ limits: { authFailures: { count: 2, seconds: 60 } } });
    const answers = await repeat(10, () => whoAmI(org.tokens.serviceAccount));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    // Nor other refusals: a permission_denied is an authenticated request.
    await repeat(3, () => getToken(database.adminToken));
    expect((await whoAmI(org.tokens.serviceAccount)).status).toBe(200);
  });

  it('counts an IPv6 client by its /64', async () => {
    await start({ limits: { authFailures: { count: 2, seconds: 60 } } });
    await whoAmI(unknown(), { remoteAddress: '2001:db8:1:2::5' });
    await whoAmI(unknown(), { remoteAddress: '2001:db8:1:2:ffff::1' });
    const refused = await whoAmI(org.tokens.serviceAccount, { remoteAddress: '2001:0db8:0001:0002::9' });
    expect(refused.status).toBe(429);
    expect(refused.body.message).toContain('from 2001:db8:1:2::/64:');
    expect((await whoAmI(org.tokens.serviceAccount, { remoteAddress: '2001:db8:1:3::5' })).status).toBe(200);
  });

  it('counts the client that a trusted proxy names (--trust-proxy), not the proxy', async () => {
    await start({
      trustProxy: ['127.0.0.1'],
      limits: { authFailures: { count: 1, seconds: 60 } },
    });
    const forwardedFor = (address: string) => ({ headers: { 'x-forwarded-for': address } });
    expect((await whoAmI(unknown(), forwardedFor('203.0.113.9'))).status).toBe(401);
    const refused = await whoAmI(org.tokens.serviceAccount, forwardedFor('203.0.113.9'));
    expect(refused.status).toBe(429);
    expect(refused.body.message).toContain('from 203.0.113.9:');
    expect((await whoAmI(org.tokens.serviceAccount, forwardedFor('203.0.113.10'))).status).toBe(200);
  });

  it('allows 100 failures in 60 s by default, and any number when off', async () => {
    await start();
    const failures = await repeat(100, () => whoAmI(unknown()));
    expect(failures.every((answer) => answer.status === 401)).toBe(true);
    const refused = await whoAmI(org.tokens.serviceAccount);
    expect(refused.status).toBe(429);
    expect(refused.body.message).toContain('at most 100 in 60 s per client address');

    await start({ limits: { authFailures: 'off' } });
    await repeat(101, () => whoAmI(unknown()));
    expect((await whoAmI(org.tokens.serviceAccount)).status).toBe(200);
  });
});

import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ServerOptions } from '../../src/server/build-server.ts';
import { listenForMetrics } from '../../src/server/metrics/metrics-listener.ts';
import { ServerMetrics } from '../../src/server/metrics/server-metrics.ts';
import { openSharedTestDatabase, type SharedTestDatabase } from '../support/api-server.ts';
import { engines } from '../support/databases.ts';
import { parsePrometheusText, type Sample, sampleValue } from '../support/prometheus-text.ts';
import { type OrganizationFixture, seedTokenOrganization } from '../support/token-fixtures.ts';

const metricsToken = 'metrics-token-0123456789abcdef';

describe.each(engines)('metrics on %s', (engine) => {
  let database: SharedTestDatabase;
  let org: OrganizationFixture;
  beforeAll(async () => {
    database = await openSharedTestDatabase(engine);
    org = await seedTokenOrganization(database.store, database.clock);
  });
  afterAll(() => database?.close());

  let app: FastifyInstance | undefined;
  let base = '';
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  /** A server listening on a free loopback port (real HTTP). */
  async function start(options: Partial<ServerOptions> = {}): Promise<ServerMetrics> {
    const metrics = options.metrics ?? new ServerMetrics();
    app = await database.startServer({ metrics, metricsToken, ...options });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    return metrics;
  }

  const scrape = async (token = metricsToken): Promise<{ text: string; samples: Sample[] }> => {
    const response = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    return { text, samples: parsePrometheusText(text) };
  };

  const getToken = (token: string) =>
    fetch(`${base}/api/gitpod.v1.IdentityService/GetIDToken`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ audience: ['sts.amazonaws.com'] }),
    });

  const issued = (samples: Sample[], principal: string, outcome = 'issued') =>
    sampleValue(samples, 'envid_id_tokens_total', { principal, audience_profile: 'default', outcome }) ?? 0;
  const tokenLatencyCount = (samples: Sample[]) =>
    sampleValue(samples, 'envid_http_request_duration_seconds_count', {
      route: 'IdentityService/GetIDToken',
    }) ?? 0;

  it('serves no /metrics at all unless asked to', async () => {
    app = await database.startServer({});
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    const response = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
    expect(response.status).toBe(404);
  });

  it('with only a registry (own listener), the main port still has no /metrics', async () => {
    const metrics = new ServerMetrics();
    app = await database.startServer({ metrics });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
  });

  it('refuses a scrape without the metrics token, or with a wrong one', async () => {
    await start();
    const missing = await fetch(`${base}/metrics`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ code: 'unauthenticated' });
    const wrong = await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer not-the-token' } });
    expect(wrong.status).toBe(401);
    const prefix = await fetch(`${base}/metrics`, {
      headers: { authorization: `Bearer ${metricsToken.slice(0, -1)}` },
    });
    expect(prefix.status).toBe(401);
    const notBearer = await fetch(`${base}/metrics`, { headers: { authorization: metricsToken } });
    expect(notBearer.status).toBe(401);
    expect(await notBearer.text()).not.toContain(metricsToken);
  });

  it('counts an issued token, its latency, its audit batch and the cache look-ups', async () => {
    await start();
    const before = (await scrape()).samples;
    const answer = await getToken(org.tokens.environment);
    expect(answer.status).toBe(200);
    const { token } = (await answer.json()) as { token: string };
    const { text, samples } = await scrape();
    expect(issued(samples, 'environment') - issued(before, 'environment')).toBe(1);
    expect(tokenLatencyCount(samples) - tokenLatencyCount(before)).toBe(1);
    expect(sampleValue(samples, 'envid_audit_batch_size_count')).toBeGreaterThan(
      sampleValue(before, 'envid_audit_batch_size_count') ?? 0,
    );
    expect(sampleValue(samples, 'envid_audit_commit_duration_seconds_count')).toBeGreaterThan(0);
    expect(sampleValue(samples, 'envid_audit_queue_depth')).toBe(0);
    const credentialLookups = (s: Sample[]) =>
      (sampleValue(s, 'envid_cache_hits_total', { cache: 'credentials' }) ?? 0) +
      (sampleValue(s, 'envid_cache_misses_total', { cache: 'credentials' }) ?? 0);
    expect(credentialLookups(samples) - credentialLookups(before)).toBe(1);
    expect(sampleValue(samples, 'envid_cache_misses_total', { cache: 'token_subjects' })).toBeGreaterThan(0);
    // Neither the credential nor the token it got is anywhere in the output.
    expect(text).not.toContain(org.tokens.environment);
    expect(text).not.toContain(token);
    expect(text).not.toContain(metricsToken);
  });

  it('names a path without a route `unmatched`, never by the path a client typed', async () => {
    await start();
    expect((await fetch(`${base}/typed-by-a-client?secret=1`)).status).toBe(404);
    expect((await fetch(`${base}/api/gitpod.v1.Typed/Method`, { method: 'POST' })).status).toBe(404);
    const { text, samples } = await scrape();
    expect(sampleValue(samples, 'envid_http_request_duration_seconds_count', { route: 'unmatched' })).toBe(2);
    expect(text).not.toMatch(/typed|Typed/);
  });

  it('a second token of the same principal is a cache hit', async () => {
    await start();
    await getToken(org.tokens.serviceAccount);
    const before = (await scrape()).samples;
    expect((await getToken(org.tokens.serviceAccount)).status).toBe(200);
    const after = (await scrape()).samples;
    const hits = (s: Sample[], cache: string) => sampleValue(s, 'envid_cache_hits_total', { cache }) ?? 0;
    expect(hits(after, 'credentials') - hits(before, 'credentials')).toBe(1);
    expect(hits(after, 'token_subjects') - hits(before, 'token_subjects')).toBe(1);
  });

  it('counts refused token requests and the rate limit that refused them', async () => {
    await start({ limits: { tokens: { count: 1, seconds: 3600 } } });
    expect((await getToken(org.tokens.runner)).status).toBe(200);
    expect((await getToken(org.tokens.runner)).status).toBe(429);
    expect((await getToken('envid_pat_notarealtokenatallnotarealtokenatall000')).status).toBe(401);
    const { samples } = await scrape();
    expect(issued(samples, 'runner')).toBe(1);
    expect(issued(samples, 'runner', 'refused')).toBe(1);
    expect(issued(samples, 'none', 'refused')).toBe(1);
    expect(sampleValue(samples, 'envid_rate_limit_refusals_total', { limit: 'tokens' })).toBe(1);
    expect(sampleValue(samples, 'envid_rate_limit_refusals_total', { limit: 'auth_failures' })).toBe(0);
  });

  it('counts refusals by the failed-authentication limit', async () => {
    await start({ limits: { authFailures: { count: 1, seconds: 3600 } } });
    const unknown = 'envid_pat_notarealtokenatallnotarealtokenatall000';
    expect((await getToken(unknown)).status).toBe(401);
    expect((await getToken(unknown)).status).toBe(429);
    const { samples } = await scrape();
    expect(sampleValue(samples, 'envid_rate_limit_refusals_total', { limit: 'auth_failures' })).toBe(1);
  });

  it('reports the signing keys’ ages and the time to the next rotation, from the clock', async () => {
    await start();
    const first = (await scrape()).samples;
    const current = first.find(
      (s) => s.name === 'envid_signing_key_age_seconds' && s.labels.state === 'current',
    );
    expect(current?.labels.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const toRotation = sampleValue(first, 'envid_signing_key_rotation_seconds')!;
    expect(toRotation).toBeGreaterThan(0);
    // The first key signs from the moment it is made, and the clock has not moved since.
    expect(toRotation).toBe(30 * 86_400);
    database.clock.advance(60_000);
    try {
      const later = (await scrape()).samples;
      expect(sampleValue(later, 'envid_signing_key_age_seconds', { kid: current!.labels.kid! })).toBe(
        current!.value + 60,
      );
      expect(sampleValue(later, 'envid_signing_key_rotation_seconds')).toBe(toRotation - 60);
    } finally {
      database.clock.advance(-60_000);
    }
  });

  it(`reports the database pool ${engine === 'postgres' ? 'state' : 'as absent (no pool)'}`, async () => {
    await start();
    const { samples } = await scrape();
    const inUse = sampleValue(samples, 'envid_database_pool_connections', { state: 'in_use' });
    if (engine === 'postgres') {
      expect(inUse).toBeGreaterThanOrEqual(0);
      expect(sampleValue(samples, 'envid_database_pool_connections', { state: 'idle' })).toBeGreaterThan(0);
      expect(sampleValue(samples, 'envid_database_pool_connections', { state: 'waiting' })).toBe(0);
      expect(sampleValue(samples, 'envid_database_pool_max_connections')).toBe(10);
    } else {
      expect(inUse).toBeUndefined();
      expect(sampleValue(samples, 'envid_database_pool_max_connections')).toBeUndefined();
    }
  });

  it('two servers in one process keep their counts apart', async () => {
    const other = new ServerMetrics();
    const otherApp = await database.startServer({ metrics: other });
    try {
      await start();
      expect((await getToken(org.tokens.member)).status).toBe(200);
      const mine = (await scrape()).samples;
      const theirs = parsePrometheusText(await other.registry.metrics());
      expect(issued(mine, 'user')).toBe(1);
      expect(issued(theirs, 'user')).toBe(0);
    } finally {
      await otherApp.close();
    }
  });

  it('on a listener of its own, answers GET /metrics and nothing else', async () => {
    const metrics = await start();
    const listener = await listenForMetrics(metrics, '127.0.0.1', 0);
    try {
      expect(listener.address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await getToken(org.tokens.admin)).status).toBe(200);
      const response = await fetch(`${listener.address}/metrics`);
      expect(response.status).toBe(200);
      expect(issued(parsePrometheusText(await response.text()), 'user')).toBeGreaterThanOrEqual(1);
      expect((await fetch(`${listener.address}/`)).status).toBe(404);
      expect((await fetch(`${listener.address}/metrics`, { method: 'POST' })).status).toBe(404);
    } finally {
      await listener.close();
    }
  });
});

describe('the request log', () => {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  let database: SharedTestDatabase;
  let org: OrganizationFixture;
  let app: FastifyInstance;
  beforeAll(async () => {
    database = await openSharedTestDatabase();
    org = await seedTokenOrganization(database.store, database.clock);
    app = await database.startServer({ logger: { level: 'info', stream } });
  });
  afterAll(() => database?.close());

  const call = (method: string, token: string, body: unknown) =>
    app.inject({
      method: 'POST',
      url: `/api/gitpod.v1.${method}`,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      payload: JSON.stringify(body),
    });

  it('writes one line per answered request: method, route, principal kind, status, duration', async () => {
    lines.length = 0;
    const answer = await call('IdentityService/GetIDToken', org.tokens.environment, {
      audience: ['typed-by-the-user.example'],
    });
    expect(answer.statusCode).toBe(200);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 30,
        msg: 'request',
        reqId: expect.any(String),
        method: 'POST',
        route: 'IdentityService/GetIDToken',
        principal: 'environment',
        status: 200,
        ms: expect.any(Number),
      }),
    ]);
    const text = JSON.stringify(lines);
    expect(text).not.toContain(org.tokens.environment);
    expect(text).not.toContain(answer.json().token);
    expect(text).not.toContain('typed-by-the-user');
  });

  it('a refusal carries its code; an unknown path is logged as unmatched, without the path', async () => {
    lines.length = 0;
    const secret = 'envid_pat_notarealtokenatallnotarealtokenatall000';
    expect((await call('IdentityService/GetIDToken', secret, {})).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/typed-path-secret?q=typed-query' })).statusCode).toBe(
      404,
    );
    const summaries = lines.filter((line) => line.msg === 'request');
    expect(summaries).toEqual([
      expect.objectContaining({
        route: 'IdentityService/GetIDToken',
        principal: 'none',
        status: 401,
        code: 'unauthenticated',
      }),
      expect.objectContaining({
        method: 'GET',
        route: 'unmatched',
        principal: 'none',
        status: 404,
        code: 'not_found',
      }),
    ]);
    expect(JSON.stringify(summaries)).not.toMatch(/typed-|envid_pat_/);
    expect(JSON.stringify(lines)).not.toContain(secret);
  });
});

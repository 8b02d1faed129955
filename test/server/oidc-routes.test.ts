import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiTestServer, startApiTestServer, testIssuer } from '../support/api-server.ts';

describe('discovery and JWKS', () => {
  let server: ApiTestServer;
  beforeAll(async () => {
    server = await startApiTestServer();
  });
  afterAll(() => server.close());

  it('publishes the discovery document with the exact issuer', async () => {
    const response = await server.app.inject('/.well-known/openid-configuration');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      issuer: testIssuer,
      jwks_uri: `${testIssuer}/.well-known/jwks.json`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256', 'ES256'],
      scopes_supported: ['openid'],
      claims_supported: expect.arrayContaining([
        'sub',
        'organization_id',
        'environment_initializers',
        'org',
        'gsub',
      ]),
    });
  });

  it('publishes public keys only: the current and the next', async () => {
    const { keys } = (await server.app.inject('/.well-known/jwks.json')).json();
    expect(keys).toHaveLength(2);
    for (const key of keys) {
      expect(Object.keys(key).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
      expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key).not.toHaveProperty(member);
    }
  });

  it.each(['/.well-known/openid-configuration', '/.well-known/jwks.json'])(
    '%s is cacheable, CORS-open and answers 304 to a matching If-None-Match',
    async (url) => {
      const first = await server.app.inject(url);
      expect(first.headers['cache-control']).toMatch(/^public, max-age=\d+$/);
      expect(Number(/max-age=(\d+)/.exec(first.headers['cache-control'] as string)![1])).toBeLessThanOrEqual(
        600,
      );
      expect(first.headers['access-control-allow-origin']).toBe('*');
      const etag = first.headers.etag as string;
      expect(etag).toMatch(/^".+"$/);
      const second = await server.app.inject({ url, headers: { 'if-none-match': etag } });
      expect(second.statusCode).toBe(304);
      expect(second.body).toBe('');
      const other = await server.app.inject({ url, headers: { 'if-none-match': '"other"' } });
      expect(other.statusCode).toBe(200);
    },
  );
});

describe('an issuer with a path', () => {
  it('serves discovery under the path and at the root', async () => {
    const server = await startApiTestServer('pglite', { issuer: 'https://id.example.com/envid' });
    try {
      for (const url of ['/envid/.well-known/openid-configuration', '/.well-known/openid-configuration']) {
        const document = (await server.app.inject(url)).json();
        expect(document.issuer).toBe('https://id.example.com/envid');
        expect(document.jwks_uri).toBe('https://id.example.com/envid/.well-known/jwks.json');
      }
      expect((await server.app.inject('/envid/.well-known/jwks.json')).statusCode).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe('discovery and JWKS over HTTP (answered before Fastify)', () => {
  let server: ApiTestServer;
  let base: string;
  beforeAll(async () => {
    server = await startApiTestServer('pglite', { generateKey: undefined });
    base = await server.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => server.close());

  // What a client sees, but the headers every HTTP answer has (date, connection, keep-alive).
  const visible = (headers: Record<string, unknown>) => {
    const { date, connection, 'keep-alive': keepAlive, ...rest } = headers;
    return rest;
  };

  it.each(['/.well-known/openid-configuration', '/.well-known/jwks.json'])(
    '%s: the same status, headers and body as the Fastify route, for GET, HEAD and 304',
    async (path) => {
      const get = await fetch(`${base}${path}?cache-bust=1`, { headers: { 'x-request-id': 'direct-1' } });
      const viaFastify = await server.app.inject({ url: path, headers: { 'x-request-id': 'direct-1' } });
      expect(get.status).toBe(200);
      expect(await get.text()).toBe(viaFastify.body);
      expect(visible(Object.fromEntries(get.headers))).toEqual(visible(viaFastify.headers));

      const head = await fetch(`${base}${path}`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('content-length')).toBe(String(Buffer.byteLength(viaFastify.body)));
      expect(await head.text()).toBe('');
      expect(head.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

      const etag = get.headers.get('etag')!;
      const cached = await fetch(`${base}${path}`, { headers: { 'if-none-match': `"x", ${etag}` } });
      const cachedViaFastify = await server.app.inject({
        url: path,
        headers: { 'if-none-match': `"x", ${etag}` },
      });
      expect(cached.status).toBe(304);
      expect(await cached.text()).toBe('');
      const { 'x-request-id': id, ...headers } = visible(Object.fromEntries(cached.headers));
      const { 'x-request-id': _, ...fastifyHeaders } = visible(cachedViaFastify.headers);
      expect(headers).toEqual(fastifyHeaders);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    },
  );

  it('leaves other methods and paths to Fastify', async () => {
    const post = await fetch(`${base}/.well-known/jwks.json`, { method: 'POST' });
    expect(post.status).toBe(404);
    const slash = await fetch(`${base}/.well-known/jwks.json/`);
    expect(slash.status).toBe(404);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('follows a new key set at once', async () => {
    const before = await (await fetch(`${base}/.well-known/jwks.json`)).json();
    // The next key may sign once it has been published longer than the JWKS max-age plus a margin.
    server.clock.advance(3_600_000);
    const response = await server.call('SigningKeyService/RotateSigningKeys', {}, server.adminToken);
    expect(response.body.rotated).toBe(true);
    const after = await (await fetch(`${base}/.well-known/jwks.json`)).json();
    expect(after).toEqual((await server.app.inject('/.well-known/jwks.json')).json());
    expect(after).not.toEqual(before);
  });

  it('leaves them to Fastify while requests are logged (debug), so they are logged too', async () => {
    const lines: string[] = [];
    const logged = await startApiTestServer('pglite', {
      logger: { level: 'debug', stream: { write: (line: string) => lines.push(line) } },
    });
    try {
      const url = await logged.app.listen({ port: 0, host: '127.0.0.1' });
      expect((await fetch(`${url}/.well-known/jwks.json`)).status).toBe(200);
      expect(lines.some((line) => line.includes('"url":"/.well-known/jwks.json"'))).toBe(true);
    } finally {
      await logged.close();
    }
  });
});

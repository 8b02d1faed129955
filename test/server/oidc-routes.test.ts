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
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid'],
      claims_supported: expect.arrayContaining(['sub', 'organization_id', 'environment_initializers', 'org']),
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

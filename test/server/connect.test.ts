import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateSecret } from '../../src/core/credentials.ts';
import { DatabaseUnavailableError } from '../../src/store/errors.ts';
import { type ApiTestServer, startApiTestServer } from '../support/api-server.ts';

describe('Connect plumbing', () => {
  let server: ApiTestServer;
  beforeAll(async () => {
    server = await startApiTestServer();
  });
  afterAll(() => server.close());

  it('answers GetAuthenticatedIdentity for the installation admin', async () => {
    const { status, body } = await server.call(
      'IdentityService/GetAuthenticatedIdentity',
      {},
      server.adminToken,
    );
    expect(status).toBe(200);
    expect(body).toEqual({ subject: { id: expect.any(String), principal: 'PRINCIPAL_ACCOUNT' } });
  });

  it('refuses a missing credential', async () => {
    const { status, body } = await server.call('IdentityService/GetAuthenticatedIdentity', {});
    expect(status).toBe(401);
    expect(body).toEqual({
      code: 'unauthenticated',
      message: expect.stringContaining('Authorization header is required'),
    });
  });

  it('refuses a malformed Authorization header', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/gitpod.v1.IdentityService/GetAuthenticatedIdentity',
      headers: { 'content-type': 'application/json', authorization: 'Basic abc' },
      payload: '{}',
    });
    expect(response.statusCode).toBe(401);
    expect(response.json().message).toContain('malformed');
  });

  it('refuses an unknown credential without echoing it', async () => {
    const secret = generateSecret('user');
    const { status, body } = await server.call('IdentityService/GetAuthenticatedIdentity', {}, secret);
    expect(status).toBe(401);
    expect(JSON.stringify(body)).not.toContain(secret);
  });

  it('answers unimplemented for an unknown method', async () => {
    const { status, body } = await server.call('IdentityService/NoSuchMethod', {}, server.adminToken);
    expect(status).toBe(404);
    expect(body.code).toBe('unimplemented');
  });

  it('refuses malformed JSON', async () => {
    const { status, body } = await server.call(
      'IdentityService/GetAuthenticatedIdentity',
      '{oops',
      server.adminToken,
    );
    expect(status).toBe(400);
    expect(body).toEqual({ code: 'invalid_argument', message: 'body: is not valid JSON' });
  });

  it('refuses a body over 1 MiB', async () => {
    const big = JSON.stringify({ pad: 'x'.repeat(1024 * 1024) });
    const { status, body } = await server.call(
      'IdentityService/GetAuthenticatedIdentity',
      big,
      server.adminToken,
    );
    expect(status).toBe(429);
    expect(body.code).toBe('resource_exhausted');
    expect(body.message).toContain('1 MiB');
  });

  it('treats an empty body as an empty message', async () => {
    const { status } = await server.call('IdentityService/GetAuthenticatedIdentity', '', server.adminToken);
    expect(status).toBe(200);
  });

  it('answers health and readiness', async () => {
    expect((await server.app.inject('/healthz')).statusCode).toBe(200);
    expect((await server.app.inject('/readyz')).json()).toEqual({
      status: 'ok',
      changeNotifications: 'connected',
    });
  });

  it('echoes a well-formed request ID and replaces an odd one', async () => {
    const good = await server.app.inject({ url: '/healthz', headers: { 'x-request-id': 'abc-123' } });
    expect(good.headers['x-request-id']).toBe('abc-123');
    const odd = await server.app.inject({ url: '/healthz', headers: { 'x-request-id': 'a b\nc' } });
    expect(odd.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('names the request on refusals and unknown paths too', async () => {
    const refused = await server.app.inject({
      method: 'POST',
      url: '/api/gitpod.v1.IdentityService/GetIDToken',
      headers: { 'content-type': 'application/json', 'x-request-id': 'refused-1' },
      payload: '{not json',
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.headers['x-request-id']).toBe('refused-1');
    const unknown = await server.app.inject({ url: '/nowhere', headers: { 'x-request-id': 'lost-1' } });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers['x-request-id']).toBe('lost-1');
  });
});

describe('operating basics', () => {
  it('answers 503 on /readyz while the database is unreachable', async () => {
    const server = await startApiTestServer();
    try {
      const ping = vi
        .spyOn(server.store, 'ping')
        .mockRejectedValue(new DatabaseUnavailableError('connection refused'));
      const response = await server.app.inject('/readyz');
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe('2');
      expect(response.json()).toEqual({
        status: 'unavailable',
        message: 'the database is unreachable: connection refused',
        changeNotifications: 'connected',
      });
      ping.mockRestore();
      expect((await server.app.inject('/readyz')).statusCode).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('logs each request with its request ID and never a credential', async () => {
    const lines: string[] = [];
    const stream = { write: (line: string) => lines.push(line) };
    const server = await startApiTestServer('pglite', { logger: { level: 'info', stream } });
    try {
      const secret = generateSecret('user');
      await server.app.inject({
        method: 'POST',
        url: '/api/gitpod.v1.IdentityService/GetAuthenticatedIdentity',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${secret}`,
          'x-request-id': 'req-42',
        },
        payload: '{}',
      });
      await server.call('IdentityService/GetAuthenticatedIdentity', {}, server.adminToken);
      const log = lines.join('');
      expect(log).toContain('"reqId":"req-42"');
      expect(log).not.toContain(secret);
      expect(log).not.toContain(server.adminToken);
      expect(log).not.toMatch(/envid_(adm|pat)_/);
    } finally {
      await server.close();
    }
  });
});

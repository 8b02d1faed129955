import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiTestServer, startApiTestServer } from '../support/api-server.ts';

describe('request logging', () => {
  const lines: { level: number; msg: string; code?: string }[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  let server: ApiTestServer;
  beforeAll(async () => {
    server = await startApiTestServer('pglite', { logger: { level: 'info', stream } });
  });
  afterAll(() => server?.close());

  const messages = () => lines.map((line) => line.msg);

  it("at info, an answered request writes one short line (not Fastify's two)", async () => {
    lines.length = 0;
    expect((await server.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect(
      (await server.call('IdentityService/GetAuthenticatedIdentity', {}, server.adminToken)).status,
    ).toBe(200);
    expect(lines).toMatchObject([
      { msg: 'request', route: '/healthz', principal: 'none', status: 200 },
      {
        msg: 'request',
        route: 'IdentityService/GetAuthenticatedIdentity',
        principal: 'installation_admin',
        status: 200,
      },
    ]);
    expect(JSON.stringify(lines)).not.toContain(server.adminToken);
  });

  it('at info, a refused request is still logged, without the secret', async () => {
    lines.length = 0;
    const secret = 'envid_pat_notarealtokenatallnotarealtokenatall000';
    expect((await server.call('IdentityService/GetAuthenticatedIdentity', {}, secret)).status).toBe(401);
    expect(lines).toMatchObject([
      { msg: 'request refused', code: 'unauthenticated' },
      { msg: 'request', status: 401, code: 'unauthenticated' },
    ]);
    expect(JSON.stringify(lines)).not.toContain(secret);
  });

  it('at debug, every request is logged as it comes and as it is answered', async () => {
    lines.length = 0;
    server.app.log.level = 'debug';
    try {
      await server.app.inject({ method: 'GET', url: '/healthz' });
    } finally {
      server.app.log.level = 'info';
    }
    expect(messages()).toEqual(['incoming request', 'request', 'request completed']);
  });
});

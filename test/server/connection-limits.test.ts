import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionLimits } from '../../src/server/limits/connection-limits.ts';
import { openSharedTestDatabase, type SharedTestDatabase } from '../support/api-server.ts';
import { openRawConnection, type RawConnection, settlesWithin } from '../support/raw-connection.ts';
import { waitFor } from '../support/wait-for.ts';

// Timeouts of a few hundred milliseconds; each deadline below is far beyond them, so a loaded machine
// passes, while a server without them (Node's defaults: 60 s for headers, no request timeout) fails.
const deadlineMs = 5_000;
const healthRequest = 'GET /healthz HTTP/1.1\r\nHost: envid\r\n\r\n';
const jwksRequest = 'GET /.well-known/jwks.json HTTP/1.1\r\nHost: envid\r\n\r\n';

let database: SharedTestDatabase;
beforeAll(async () => {
  database = await openSharedTestDatabase();
});
afterAll(() => database.close());

/** A listening server with these limits, for the enclosing describe block; answers its port. */
function serverWith(connections: ConnectionLimits): () => number {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await database.startServer({ connections });
    await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => app.close());
  return () => (app.server.address() as { port: number }).port;
}

const responses = (connection: RawConnection): number => connection.received().split('HTTP/1.1 ').length - 1;

/** The server closed the connection within the deadline, answering 408 or nothing. */
async function expectCutOff(connection: RawConnection): Promise<void> {
  const closed = await settlesWithin(connection.closed, deadlineMs);
  connection.socket.destroy();
  expect(closed).toBe(true);
  expect(connection.received()).toMatch(/^(HTTP\/1\.1 408 |$)/);
}

describe('slow clients', () => {
  const port = serverWith({
    headersTimeoutMs: 300,
    requestTimeoutMs: 600,
    keepAliveTimeoutMs: 200,
    maxConnections: 100,
  });

  it('are cut off when they never send a byte', async () => {
    await expectCutOff(await openRawConnection(port()));
  });

  it('are cut off when the request head never ends', async () => {
    const connection = await openRawConnection(port());
    connection.socket.write('POST /api/gitpod.v1.IdentityService/GetIDToken HTTP/1.1\r\nHost: envid\r\n');
    await expectCutOff(connection);
  });

  it('are cut off when the body trickles in, however steadily', async () => {
    const connection = await openRawConnection(port());
    connection.socket.write(
      'POST /api/gitpod.v1.IdentityService/GetIDToken HTTP/1.1\r\nHost: envid\r\n' +
        'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{',
    );
    // One byte every 100 ms: never idle for long, but never done.
    const trickle = setInterval(() => {
      if (!connection.isClosed()) connection.socket.write(' ');
    }, 100);
    try {
      await expectCutOff(connection);
    } finally {
      clearInterval(trickle);
    }
  });

  it('do not disturb a kept-alive client, which is closed only once idle', async () => {
    const connection = await openRawConnection(port());
    // Answered before Fastify (the JWKS), then by Fastify, on one connection.
    connection.socket.write(jwksRequest);
    await waitFor('the JWKS', () => connection.received().includes('"keys"'), deadlineMs);
    connection.socket.write(healthRequest);
    await waitFor('the health answer', () => responses(connection) === 2, deadlineMs);
    expect(connection.received()).not.toContain(' 408 ');
    expect(connection.received().match(/HTTP\/1\.1 200 /g)).toHaveLength(2);
    // Idle now: closed after the keep-alive timeout (Node adds a second to what it announces).
    expect(await settlesWithin(connection.closed, deadlineMs)).toBe(true);
  });

  it('serve ordinary HTTP clients as before', async () => {
    for (let i = 0; i < 3; i++) {
      const response = await fetch(
        `http://127.0.0.1:${port()}/api/gitpod.v1.IdentityService/GetAuthenticatedIdentity`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${database.adminToken}` },
          body: '{}',
        },
      );
      expect(response.status).toBe(200);
      await response.arrayBuffer();
    }
  });
});

describe('the connection cap', () => {
  const cap = 3;
  const port = serverWith({
    headersTimeoutMs: 5_000,
    requestTimeoutMs: 5_000,
    keepAliveTimeoutMs: 5_000,
    maxConnections: cap,
  });

  /** A connection the server has accepted and answered once, kept alive. */
  async function answeredConnection(): Promise<RawConnection> {
    const connection = await openRawConnection(port());
    connection.socket.write(healthRequest);
    await waitFor('a health answer', () => responses(connection) === 1 || connection.isClosed(), deadlineMs);
    return connection;
  }

  /** Tries new connections until one is answered (or the deadline passes). */
  async function firstAdmitted(): Promise<RawConnection | undefined> {
    const deadline = Date.now() + deadlineMs;
    while (Date.now() < deadline) {
      const connection = await answeredConnection();
      if (responses(connection) === 1) return connection;
      connection.socket.destroy();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return undefined;
  }

  it('closes connections beyond it at once, and takes new ones when one ends', async () => {
    const held = await Promise.all(Array.from({ length: cap }, () => answeredConnection()));
    try {
      expect(held.map(responses)).toEqual([1, 1, 1]);
      const refused = await openRawConnection(port());
      refused.socket.write(healthRequest);
      expect(await settlesWithin(refused.closed, deadlineMs)).toBe(true);
      expect(refused.received()).toBe('');

      held.pop()!.socket.destroy();
      // The server learns of the close a moment later; until then new connections are still refused.
      const admitted = await firstAdmitted();
      expect(admitted && responses(admitted)).toBe(1);
      admitted?.socket.destroy();
    } finally {
      for (const connection of held) connection.socket.destroy();
    }
  });
});

describe('requests Node refuses before any route', () => {
  const port = serverWith({
    headersTimeoutMs: 2_000,
    requestTimeoutMs: 4_000,
    keepAliveTimeoutMs: 1_000,
    maxConnections: 100,
  });

  const refusal = async (request: string) => {
    const connection = await openRawConnection(port());
    connection.socket.write(request);
    expect(await settlesWithin(connection.closed, deadlineMs)).toBe(true);
    const [head = '', body = ''] = connection.received().split('\r\n\r\n');
    return { head, body: JSON.parse(body) };
  };

  it('answer a Connect error, keeping the HTTP status: a head over 16 KiB is 431', async () => {
    const answer = await refusal(
      `GET /healthz HTTP/1.1\r\nHost: envid\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(answer.head).toMatch(/^HTTP\/1\.1 431 /);
    expect(answer.head).toMatch(/content-type: application\/json/i);
    expect(answer.body).toEqual({
      code: 'resource_exhausted',
      message: 'request head: the request line and headers must be at most 16 KiB in all',
    });
  });

  it('answer bytes that are not HTTP with 400 invalid_argument', async () => {
    const answer = await refusal('HELLO\r\n\r\n');
    expect(answer.head).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer.body).toEqual({ code: 'invalid_argument', message: 'the request is not valid HTTP/1.1' });
  });
});

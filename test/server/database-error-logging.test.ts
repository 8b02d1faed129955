import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineMethod } from '../../src/server/connect/define-method.ts';
import { DatabaseError } from '../../src/store/errors.ts';
import { type ApiTestServer, startApiTestServer } from '../support/api-server.ts';
import { engines } from '../support/databases.ts';

/**
 * A query that fails unexpectedly is answered `internal` and logged with the database's code, what
 * failed and the request ID, never with the statement, its parameters or a message quoting a value
 * (PGlite's errors carry the SQL and parameters; PostgreSQL's message quotes the bad value).
 */
const secret = 'envid_pat_S3cr3tL00kingValueS3cr3tL00kingValue0000';

/** Methods that hand the store a value it cannot take (the API's own methods check their input first). */
const failingMethods = [
  defineMethod({
    service: 'TestService',
    method: 'InsertBadId',
    input: z.object({ value: z.string() }),
    handler: async ({ value }, { store, clock }) => {
      await store.memberships.insert({
        id: value,
        organizationId: randomUUID(),
        userId: randomUUID(),
        role: 'member',
        createdAt: clock.now(),
      });
    },
  }),
  defineMethod({
    service: 'TestService',
    method: 'InsertNul',
    input: z.object({ value: z.string() }),
    handler: async ({ value }, { store, clock }) => {
      await store.organizations.insert({
        id: randomUUID(),
        name: `${value}\u0000`,
        oidcConfig: { version: 'v3', extraSubFields: [] },
        createdAt: clock.now(),
      });
    },
  }),
  defineMethod({
    service: 'TestService',
    method: 'RethrowDriverError',
    input: z.object({ value: z.string() }),
    handler: async ({ value }, { store, clock }) => {
      // Code that digs the driver's error out and lets it go: the logger must still not print it.
      const user = {
        id: value,
        email: `${value}@example.com`,
        name: value,
        emailVerified: true,
        createdAt: clock.now(),
      };
      const failure = await store.users.insert(user).then(
        () => new Error('the insert should have failed'),
        (error: unknown) => error,
      );
      throw failure instanceof DatabaseError ? failure.driverError() : failure;
    },
  }),
];

describe.each(engines)('database errors in the log, on %s', (engine) => {
  const lines: Record<string, any>[] = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of chunk.toString().split('\n')) {
        if (!line) continue;
        raw.push(line);
        lines.push(JSON.parse(line));
      }
      done();
    },
  });
  let server: ApiTestServer;
  beforeAll(async () => {
    server = await startApiTestServer(engine, {
      logger: { level: 'trace', stream },
      methods: failingMethods,
    });
  });
  afterAll(() => server?.close());

  const callFailing = async (method: string) => {
    lines.length = 0;
    raw.length = 0;
    const response = await server.app.inject({
      method: 'POST',
      url: `/api/gitpod.v1.TestService/${method}`,
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${server.adminToken}`,
        'x-request-id': `req-${method}`,
      },
      payload: { value: secret },
    });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({
      code: 'internal',
      message: 'internal error; the server log has the detail',
    });
    expect(response.headers['x-request-id']).toBe(`req-${method}`);
    const log = raw.join('\n');
    expect(log).not.toContain(secret);
    expect(log).not.toContain(secret.slice(10, 30));
    expect(log).not.toMatch(/insert into|\$1|"params"|"query"/i);
    const failed = lines.find((line) => line.msg === 'request failed');
    expect(failed, log).toBeDefined();
    expect(failed!.reqId).toBe(`req-${method}`);
    return failed!.err;
  };

  it('a malformed UUID (the message quotes it): the SQLSTATE, the table and the statement kind', async () => {
    expect(await callFailing('InsertBadId')).toEqual({
      type: 'DatabaseError',
      message: 'database error 22P02 (invalid_text_representation) in insert on memberships',
      code: '22P02',
      operation: 'insert',
      table: 'memberships',
      connection: false,
      stack: expect.stringMatching(/^DatabaseError: database error 22P02/),
    });
  });

  it('a NUL character (the parameters hold it)', async () => {
    const err = await callFailing('InsertNul');
    expect(err).toMatchObject({ type: 'DatabaseError', operation: 'insert', table: 'organizations' });
    expect(err.code).toMatch(/^(22021|22P05)$/);
  });

  it("the driver's own error, rethrown: its type and code alone", async () => {
    const err = await callFailing('RethrowDriverError');
    expect(err).toEqual({ type: expect.any(String), code: '22P02' });
  });

  it('the store raises DatabaseError with no value in it, and keeps the driver error unenumerable', async () => {
    const error = await server.store.memberships
      .insert({
        id: secret,
        organizationId: randomUUID(),
        userId: randomUUID(),
        role: 'member',
        createdAt: new Date(),
      })
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(DatabaseError);
    expect(JSON.stringify(error)).not.toContain(secret);
    expect(`${(error as Error).message} ${(error as Error).stack}`).not.toContain(secret);
    expect(Object.keys(error as object)).not.toContain('driverError');
    expect(String((error as DatabaseError).driverError())).toContain('uuid');
  });
});

import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi } from '../../src/cli/api-client.ts';
import type { Connection } from '../../src/cli/config/resolve-connection.ts';
import { CliError } from '../../src/shared/exit-codes.ts';
import { closedPort } from '../support/closed-port.ts';

/** Answers each method with the status and body its name asks for, e.g. `Test/401-unauthenticated`. */
const answers: Record<string, [number, string]> = {
  ok: [200, '{"token":"t"}'],
  unauthenticated: [401, '{"code":"unauthenticated","message":"invalid credential"}'],
  denied: [403, '{"code":"permission_denied","message":"admins only"}'],
  missing: [404, '{"code":"not_found","message":"no such environment"}'],
  plain404: [404, 'Not Found'],
  invalid: [400, '{"code":"invalid_argument","message":"audience: too long"}'],
  internal: [500, '{"code":"internal","message":"boom"}'],
  unavailable: [503, '{"code":"unavailable","message":"database down"}'],
  garbage: [200, 'not json'],
};

let server: Server;
let host: string;
const seen: { authorization?: string; body: string }[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      seen.push({ authorization: request.headers.authorization, body });
      const [status, text] = answers[request.url!.replace('/api/gitpod.v1.Test/', '')] ?? [500, ''];
      response.writeHead(status, { 'content-type': 'application/json' }).end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const connection = (): Connection => ({ host, token: 'secret-token', tokenSource: 'ENVID_TOKEN' });

async function failure(method: string): Promise<CliError> {
  try {
    await callApi(connection(), `Test/${method}`, {});
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    expect((error as Error).message).not.toContain('secret-token');
    return error as CliError;
  }
  throw new Error('expected a failure');
}

describe('callApi', () => {
  it('posts JSON with the bearer credential and answers the JSON body', async () => {
    expect(await callApi(connection(), 'Test/ok', { audience: ['a'] })).toEqual({ token: 't' });
    expect(seen.at(-1)).toEqual({ authorization: 'Bearer secret-token', body: '{"audience":["a"]}' });
  });

  it('maps Connect errors to exit codes, naming the host and the credential source', async () => {
    const refused = await failure('unauthenticated');
    expect(refused.exitCode).toBe(3);
    expect(refused.message).toContain(`${host} refused the credential from ENVID_TOKEN: invalid credential`);
    expect((await failure('denied')).exitCode).toBe(3);
    expect(await failure('missing')).toMatchObject({
      exitCode: 4,
      message: `${host}: not_found: no such environment`,
    });
    expect((await failure('plain404')).exitCode).toBe(4);
    expect((await failure('invalid')).exitCode).toBe(2);
    expect((await failure('internal')).exitCode).toBe(1);
    expect((await failure('unavailable')).message).toContain('unavailable: database down');
    expect((await failure('garbage')).exitCode).toBe(1);
  });

  it('reports an unreachable host with exit code 5 and its URL', async () => {
    const port = await closedPort();
    const unreachable = { ...connection(), host: `http://127.0.0.1:${port}` };
    const error = (await callApi(unreachable, 'Test/ok', {}).catch((e: unknown) => e)) as CliError;
    expect(error).toMatchObject({ exitCode: 5 });
    expect(error.message).toContain(
      `cannot reach the envid server at http://127.0.0.1:${port}: ECONNREFUSED`,
    );
  });
});

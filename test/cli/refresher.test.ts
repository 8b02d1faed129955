import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIdpToken } from '../../src/cli/idp/run-token.ts';
import { parseTokenOptions } from '../../src/cli/idp/token-options.ts';
import { removeDir } from '../support/envid-process.ts';
import { jwtPart } from '../support/jwt-parts.ts';

const dir = mkdtempSync(join(tmpdir(), 'envid-cli-refresh-'));
let issued = 0;
/** What the fake server answers next: a fresh token, or a Connect error. */
let plan: ('token' | 'unavailable' | 'unauthenticated')[] = [];
let server: Server;
let host: string;

beforeAll(async () => {
  server = createServer((_request, response) => {
    const next = plan.shift() ?? 'token';
    if (next === 'token') {
      const iat = Math.floor(Date.now() / 1000);
      const token = `${jwtPart({ alg: 'RS256' })}.${jwtPart({ iat, exp: iat + 60, jti: String(++issued) })}.sig`;
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token }));
    } else {
      const status = next === 'unavailable' ? 503 : 401;
      response
        .writeHead(status, { 'content-type': 'application/json' })
        .end(JSON.stringify({ code: next, message: 'x' }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  removeDir(dir);
});

function start(path: string) {
  const stderr = new PassThrough();
  let errors = '';
  stderr.on('data', (chunk) => (errors += chunk));
  const options = parseTokenOptions({ audience: ['a'], outputFile: path, refresh: true });
  // 2/3 of 60 s is 40 s; scaled by 4000 it is 10 ms, so several renewals happen at once.
  const env = { ENVID_CLI_TEST_TIME_SCALE: '4000' };
  const done = runIdpToken({ host, token: 't', tokenSource: '--token' }, options, {
    env,
    stdout: new PassThrough(),
    stderr,
  });
  return { done, errors: () => errors };
}

const jtiOf = (path: string) =>
  JSON.parse(Buffer.from(readFileSync(path, 'utf8').split('.')[1]!, 'base64url').toString()).jti;

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('the token file refresher', () => {
  it('retries after a server error, keeps renewing, and stops cleanly on SIGTERM', async () => {
    const path = join(dir, 'retry');
    plan = ['token', 'unavailable'];
    const { done, errors } = start(path);
    await until(() => issued >= 3 && errors() !== '');
    expect(errors()).toMatch(/renewing .*retry failed, retrying: .*unavailable/);
    expect(Number(jtiOf(path))).toBeGreaterThanOrEqual(2);
    process.emit('SIGTERM');
    await expect(done).resolves.toBeUndefined();
    expect(process.listenerCount('SIGTERM')).toBe(0);
    // Once it has returned, the file is never written again: a renewal that was writing has finished,
    // and one that was still asking the server drops its token.
    const after = issued;
    const lastJti = jtiOf(path);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(jtiOf(path)).toBe(lastJti);
    expect(issued).toBeLessThanOrEqual(after + 1);
  });

  it('stops with exit code 3 when the server refuses the credential', async () => {
    plan = ['token', 'unauthenticated'];
    const { done } = start(join(dir, 'refused'));
    await expect(done).rejects.toMatchObject({ exitCode: 3 });
    expect(process.listenerCount('SIGINT')).toBe(0);
  });
});

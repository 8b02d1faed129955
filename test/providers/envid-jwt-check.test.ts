import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { setUpEnvironmentThroughApi } from '../support/api-setup.ts';
import { closedPort } from '../support/closed-port.ts';
import { checkEnvidJwt } from '../support/envid-jwt-check.ts';
import { type EnvidProcess, removeDir, startEnvid } from '../support/envid-process.ts';
import { jwtPart } from '../support/jwt-parts.ts';
import { runCli } from '../support/run-cli.ts';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 180_000 });

const parts = (token: string) => token.split('.') as [string, string, string];
const json = (segment: string) => JSON.parse(Buffer.from(segment, 'base64url').toString());

describe('the stand-ins’ shared check of an envid token (discovery + JWKS over HTTP, jose)', () => {
  let server: EnvidProcess;
  let token: string;

  beforeAll(async () => {
    server = await startEnvid();
    const { environmentToken } = await setUpEnvironmentThroughApi(server.url, server.adminToken);
    const result = await runCli(['idp', 'token', '--audience', 'aud-1'], {
      ENVID_HOST: server.url,
      ENVID_TOKEN: environmentToken,
    });
    expect(result.code).toBe(0);
    token = result.stdout.trim();
  });

  afterAll(async () => {
    if (server) {
      await server.stop();
      removeDir(server.dataDir);
    }
  });

  it('accepts envid’s token for its issuer and audience', async () => {
    const result = await checkEnvidJwt(token, { issuer: server.url, audience: 'aud-1' });
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.payload.iss).toBe(server.url);
  });

  it('names what is wrong: issuer, audience, algorithm, key, signature, discovery, malformed', async () => {
    const [header, payload, signature] = parts(token);
    const claims = json(payload);
    const reasonOf = async (candidate: string, options = {}) => {
      const result = await checkEnvidJwt(candidate, { issuer: server.url, ...options });
      return result.ok ? 'ok' : result.reason;
    };
    expect(await reasonOf(token, { issuer: `${server.url}/` })).toBe('issuer');
    expect(await reasonOf(token, { audience: 'other' })).toBe('audience');
    expect(await reasonOf(token, { algorithms: ['ES256'] })).toBe('algorithm');
    expect(await reasonOf(`${jwtPart({ ...json(header), kid: 'nope' })}.${payload}.${signature}`)).toBe(
      'key-not-found',
    );
    expect(await reasonOf(`${header}.${jwtPart({ ...claims, sub: 'someone-else' })}.${signature}`)).toBe(
      'signature',
    );
    expect(await reasonOf(token, { maxLifetimeSeconds: 60 })).toBe('time-claims');
    const port = await closedPort();
    const elsewhere = `http://127.0.0.1:${port}`;
    expect(
      await reasonOf(`${header}.${jwtPart({ ...claims, iss: elsewhere })}.${signature}`, {
        issuer: elsewhere,
      }),
    ).toBe('discovery');
    expect(await reasonOf('a.b')).toBe('malformed');
  });
});

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EnvidProcess, removeDir, startEnvid } from '../support/envid-process.ts';
import { claimsOf } from '../support/jwt-parts.ts';
import { fencedBlocks, repoRoot } from './markdown-blocks.ts';

// The shell examples of README.md and docs/api.md, run as written against a real server: only the
// documented default address (http://127.0.0.1:8080) is replaced by the test server's. They run in a
// stand-in checkout (bin/ and .envid/bootstrap-token, as after `npm start`) so that a test can see
// what they leave behind. They need bash, curl and jq, which PATH below names.
const documentedHost = 'http://127.0.0.1:8080';
const path = `${dirname(process.execPath)}:/usr/bin:/bin`;

let server: EnvidProcess;
let home: string;
let checkout: string;

beforeAll(async () => {
  server = await startEnvid();
  home = mkdtempSync(join(tmpdir(), 'envid-doc-examples-'));
  checkout = join(home, 'checkout');
  mkdirSync(join(checkout, '.envid'), { recursive: true });
  symlinkSync(join(repoRoot, 'bin'), join(checkout, 'bin'));
  writeFileSync(join(checkout, '.envid', 'bootstrap-token'), `${server.adminToken}\n`, { mode: 0o600 });
});

afterAll(async () => {
  await server?.stop();
  if (server) removeDir(server.dataDir);
  if (home) removeDir(home);
});

function run(script: string, env: Record<string, string> = {}) {
  const result = spawnSync('bash', ['-c', script.replaceAll(documentedHost, server.url)], {
    cwd: checkout,
    env: { PATH: path, HOME: home, ENVID_HOST: server.url, ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The sh blocks of a document that follow `heading`, up to the next heading of the same level. */
function shBlocksUnder(file: string, heading: string): string[] {
  const blocks = fencedBlocks(file);
  const lines = readLines(file);
  const start = lines.indexOf(heading);
  const level = /^#+/.exec(heading)![0];
  const end = lines.findIndex((line, index) => index > start && new RegExp(`^${level} `).test(line));
  expect(start).toBeGreaterThanOrEqual(0);
  return blocks
    .filter((block) => block.language === 'sh' && block.line > start && (end === -1 || block.line <= end))
    .map((block) => block.body);
}

const readLines = (file: string) => readFileSync(join(repoRoot, file), 'utf8').split('\n');

async function verifiedClaims(token: string, audience: string) {
  const jwks = (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as JSONWebKeySet;
  return (await jwtVerify(token, createLocalJWKSet(jwks), { issuer: server.url, audience })).payload;
}

describe('docs/api.md: the curl examples', () => {
  const [walk, createOrganization] = [...shBlocksUnder('docs/api.md', '## First calls with curl')];

  it('creates the first organization and its admin, who gets an ID token for 900 s', async () => {
    const result = run(walk!);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const lines = result.stdout.trim().split('\n');
    expect(JSON.parse(lines.slice(0, -1).join('\n'))).toEqual({
      member: expect.objectContaining({ email: 'ada@acme.example', role: 'ORGANIZATION_ROLE_ADMIN' }),
    });
    const claims = await verifiedClaims(lines.at(-1)!, 'sts.amazonaws.com');
    expect(claims).toMatchObject({ email: 'ada@acme.example', name: 'Ada' });
    expect(claims.exp! - claims.iat!).toBe(900);
  });

  it('creates an organization with one curl command', () => {
    const result = run(createOrganization!);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(result.stdout)).toEqual({
      organization: { id: expect.any(String), name: 'Acme', createdAt: expect.any(String) },
    });
  });

  it('asks for an ID token with an environment-style ENVID_TOKEN, as GetIDToken shows', async () => {
    const [getIdToken] = shBlocksUnder('docs/api.md', '### GetIDToken');
    // Any principal's credential does; the walk's personal access token is the simplest to make here.
    const token = run(
      `${walk!.split('\napi IdentityService/GetIDToken')[0]}\nprintf '%s' "$ADA_TOKEN"`.replace(
        '"ada@acme.example"',
        '"grace@acme.example"',
      ),
    )
      .stdout.split('\n')
      .at(-1)!;
    expect(token).toMatch(/^envid_pat_/);
    const result = run(getIdToken!, { ENVID_TOKEN: token });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(claimsOf(result.stdout.trim())).toMatchObject({
      aud: 'sts.amazonaws.com',
      email: 'grace@acme.example',
    });
  });
});

describe("README.md: 'A first token'", () => {
  it('runs twice, each time printing a decoded environment token, and leaves no secret in the checkout', () => {
    const [walk] = shBlocksUnder('README.md', '## A first token');
    const environments = new Set<string>();
    for (const _run of [1, 2]) {
      const result = run(walk!);
      expect(result.code).toBe(0);
      const decoded = JSON.parse(result.stdout.slice(result.stdout.indexOf('{\n')));
      expect(decoded.Header).toEqual([expect.objectContaining({ Algorithm: 'RS256' })]);
      expect(decoded.Claims).toMatchObject({ aud: 'sts.amazonaws.com', creator_email: 'ada@acme.example' });
      environments.add(decoded.Claims.environment_id);
    }
    expect(environments.size).toBe(2);
    expect(readdirSync(checkout).sort()).toEqual(['.envid', 'bin']);
    expect(readdirSync(join(checkout, '.envid'))).toEqual(['bootstrap-token']);
  });
});

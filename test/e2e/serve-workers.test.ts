import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { setUpEnvironmentThroughApi } from '../support/api-setup.ts';
import { createTestDatabase, noPostgres } from '../support/databases.ts';
import { removeDir, startEnvid } from '../support/envid-process.ts';
import { isRunning } from '../support/process-state.ts';
import { runCli } from '../support/run-cli.ts';
import { titled } from '../support/skip-reason.ts';
import { waitFor } from '../support/wait-for.ts';

vi.setConfig({ testTimeout: 180_000 });

/** A Connect call on a connection of its own: the cluster hands each new connection to the next worker. */
function callOnNewConnection(url: string, token: string, method: string, body: unknown): Promise<any> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/api/gitpod.v1.${method}`,
      {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        timeout: 10_000,
      },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () =>
          response.statusCode === 200
            ? resolve(JSON.parse(text))
            : reject(new Error(`${method}: ${response.statusCode} ${text}`)),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method}: no answer in 10 s`)));
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** The processes whose parent is `pid` (from /proc). */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid && fields[0] !== 'Z') children.push(Number(entry));
    } catch {
      // Gone while we looked.
    }
  }
  return children.sort();
}

describe.skipIf(noPostgres !== undefined)(titled('envid serve --workers on PostgreSQL', noPostgres), () => {
  const cleanups: (() => unknown)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('serves from 2 workers, restarts one that dies, and drains both on SIGTERM', async () => {
    const database = await createTestDatabase();
    cleanups.push(database.drop);
    const server = await startEnvid({
      databaseUrl: database.url,
      args: ['--workers', '2'],
      env: { ENVID_MASTER_KEY: randomBytes(32).toString('base64') },
    });
    cleanups.push(
      () => removeDir(server.dataDir),
      () => server.stop(),
    );
    const primary = server.child.pid!;
    expect(server.output().match(/envid listening on/g)).toHaveLength(1);
    expect(server.output()).toContain('(2 workers)');
    const workers = childrenOf(primary);
    expect(workers).toHaveLength(2);

    const setup = await setUpEnvironmentThroughApi(server.url, server.adminToken);
    const audience = 'https://workers.example.com';
    /** Tokens over `count` new connections (so from both workers), each verified against the JWKS. */
    const tokensVerify = async (count: number) => {
      const tokens: string[] = [];
      for (let i = 0; i < count; i++) {
        const answer = await callOnNewConnection(
          server.url,
          setup.environmentToken,
          'IdentityService/GetIDToken',
          {
            audience: [audience],
          },
        );
        tokens.push(answer.token);
      }
      const jwks = createLocalJWKSet(
        (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as JSONWebKeySet,
      );
      for (const token of tokens) {
        const { payload } = await jwtVerify(token, jwks, { audience, issuer: server.url });
        expect(payload.sub).toContain(setup.projectId);
      }
    };
    await tokensVerify(6);

    // A worker killed outright is replaced, and the server answers throughout.
    process.kill(workers[0]!, 'SIGKILL');
    await waitFor('the dead worker to be replaced', () => {
      const now = childrenOf(primary);
      return now.length === 2 && !now.includes(workers[0]!);
    });
    expect(isRunning(workers[1]!)).toBe(true);
    await tokensVerify(6);
    expect(server.output()).toContain('worker died; restarting it');

    const current = childrenOf(primary);
    expect(await server.stop('SIGTERM')).toBe(0);
    for (const pid of current) expect(isRunning(pid)).toBe(false);
  });

  it('stops the start, with the workers refusal and its code, when the database refuses the workers', async () => {
    const database = await createTestDatabase();
    cleanups.push(database.drop);
    const first = await startEnvid({
      databaseUrl: database.url,
      env: {
        ENVID_MASTER_KEY: randomBytes(32).toString('base64'),
        ENVID_ISSUER: 'https://envid.example.com',
      },
    });
    cleanups.push(
      () => removeDir(first.dataDir),
      () => first.stop(),
    );
    const refused = await runCli(
      ['serve', '--port', '0', '--data-dir', first.dataDir, '--database-url', database.url, '--workers', '2'],
      { ENVID_MASTER_KEY: randomBytes(32).toString('base64') },
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('issuer (--issuer, ENVID_ISSUER): recorded https://envid.example.com');
    expect(refused.stdout).not.toContain('envid listening on');
  });
});

describe('envid serve --workers refusals', () => {
  it('refuses more than 1 worker on the embedded database, naming the flag and what to do', async () => {
    const result = await runCli(
      ['serve', '--port', '0', '--data-dir', '/nonexistent/envid', '--workers', '2'],
      {},
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      '--workers (ENVID_WORKERS): 2 workers need PostgreSQL (--database-url, ENVID_DATABASE_URL)',
    );
  });

  it('refuses a count that is not 1 to 64 or auto', async () => {
    for (const value of ['0', '65', 'many', '1.5']) {
      const result = await runCli(['serve', '--port', '0', '--data-dir', '/nonexistent/envid'], {
        ENVID_WORKERS: value,
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        `--workers (ENVID_WORKERS): "${value}" is not a count from 1 to 64 or auto`,
      );
    }
  });
});

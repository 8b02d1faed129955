import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { closedPort } from '../support/closed-port.ts';
import { engines } from '../support/databases.ts';
import { envidBin, removeDir, startEnvidOn } from '../support/envid-process.ts';
import { runCli } from '../support/run-cli.ts';
import { testRunEnv } from '../support/test-run.ts';
import { waitFor } from '../support/wait-for.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const issuer = 'https://id.example.com/acme';
const discoveryFile = '.well-known/openid-configuration';
const jwksFile = '.well-known/jwks.json';

describe.each(engines)('envid discovery export on %s', (engine) => {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  const setUp = async () => {
    const { server, databaseUrl } = await startEnvidOn(engine, cleanups, ['--issuer', issuer]);
    cleanups.push(() => server.stop());
    const dir = mkdtempSync(join(tmpdir(), 'envid-export-'));
    cleanups.push(() => removeDir(dir));
    const served = async (path: string) => (await fetch(`${server.url}/${path}`)).text();
    return { server, databaseUrl, out: join(dir, 'site'), served };
  };

  it('writes both documents as served, at their paths under the issuer, mode 0644; refuses another issuer', async () => {
    const { server, out, served } = await setUp();
    const refused = await runCli(
      ['discovery', 'export', '--from', server.url, '--out', out, '--issuer', 'https://other.example.com'],
      {},
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      `the server's issuer is ${issuer}, not https://other.example.com (--issuer)`,
    );
    expect(existsSync(out)).toBe(false);

    const result = await runCli(
      ['discovery', 'export', '--from', server.url, '--out', out, '--issuer', issuer],
      {},
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    for (const file of [discoveryFile, jwksFile]) {
      expect(readFileSync(join(out, file), 'utf8')).toBe(await served(file));
      expect(statSync(join(out, file)).mode & 0o777).toBe(0o644);
    }
    expect(JSON.parse(readFileSync(join(out, discoveryFile), 'utf8')).jwks_uri).toBe(`${issuer}/${jwksFile}`);
    // The current and the next key: the next one is published before it ever signs.
    expect(JSON.parse(readFileSync(join(out, jwksFile), 'utf8')).keys).toHaveLength(2);
    expect(result.stdout).toMatch(/^wrote .*jwks\.json \(keys .+, .+\)\nwrote .*openid-configuration\n$/);
  });

  it('refuses a server that cannot be reached, writing nothing (exit 5)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'envid-export-'));
    cleanups.push(() => removeDir(dir));
    const from = `http://127.0.0.1:${await closedPort()}`;
    const result = await runCli(['discovery', 'export', '--from', from, '--out', join(dir, 's')], {});
    expect(result.code).toBe(5);
    expect(result.stderr).toBe(
      `envid: cannot fetch ${from}/.well-known/openid-configuration: ECONNREFUSED\n`,
    );
    expect(existsSync(join(dir, 's'))).toBe(false);
  });

  it('says which file it cannot write when --out is not a directory (exit 2)', async () => {
    const { server, out } = await setUp();
    writeFileSync(out, 'not a directory');
    const result = await runCli(['discovery', 'export', '--from', server.url, '--out', out], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      new RegExp(`^envid: --out: cannot write ${out}/\\.well-known/jwks\\.json: `),
    );
  });

  it('--watch rewrites the JWKS on a key change and stops on SIGTERM with exit 0', async () => {
    const { server, databaseUrl, out, served } = await setUp();
    const watcher: ChildProcess = spawn(
      process.execPath,
      [envidBin, 'discovery', 'export', '--from', server.url, '--out', out, '--watch', '--interval', '0.1'],
      { env: { PATH: process.env['PATH'], ...testRunEnv() }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    watcher.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    watcher.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => watcher.once('exit', resolve));
    cleanups.push(() => watcher.exitCode === null && watcher.kill('SIGKILL'));
    const writes = () => (output.match(/^wrote .*jwks\.json/gm) ?? []).length;
    await waitFor('the first export', () => writes() === 1 && output.includes('openid-configuration'));
    const before = readFileSync(join(out, jwksFile), 'utf8');

    const cli = (args: string[]) => runCli(args, { ENVID_HOST: server.url, ENVID_TOKEN: server.adminToken });
    if (databaseUrl) {
      // `keys rotate` promotes a next key only once it has been published for 600 s: on PostgreSQL the
      // test makes it that old, as if the server had run that long.
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      await client.query(
        "update signing_keys set published_at = now() - interval '1 hour' where state = 'next'",
      );
      await client.end();
      const rotated = await cli(['keys', 'rotate', '--json']);
      expect(rotated.code).toBe(0);
      expect(JSON.parse(rotated.stdout).rotated).toBe(true);
    } else {
      const current = JSON.parse((await cli(['keys', 'list', '--json'])).stdout).keys.find(
        (key: { state: string }) => key.state === 'current',
      );
      expect((await cli(['keys', 'revoke', current.keyId, '--yes'])).code).toBe(0);
    }
    await waitFor('the JWKS to be rewritten', () => writes() === 2);
    const after = readFileSync(join(out, jwksFile), 'utf8');
    expect(after).not.toBe(before);
    expect(after).toBe(await served(jwksFile));
    // The discovery document did not change, so it was not written again.
    expect((output.match(/openid-configuration/g) ?? []).length).toBe(1);
    watcher.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).not.toContain('envid:');
  });
});

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { setUpEnvironmentThroughApi } from '../support/api-setup.ts';
import { closedPort } from '../support/closed-port.ts';
import { type EnvidProcess, envidBin, removeDir, startEnvid } from '../support/envid-process.ts';
import { claimsOf } from '../support/jwt-parts.ts';
import { isRunning } from '../support/process-state.ts';
import { runCli } from '../support/run-cli.ts';
import { testRunEnv } from '../support/test-run.ts';
import { waitFor } from '../support/wait-for.ts';

// One real server process for the file; each CLI run is a process of its own.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

const jwtPattern = /^[\w-]+\.[\w-]+\.[\w-]+$/;

describe('envid login, idp token and idp whoami against envid serve', () => {
  let server: EnvidProcess;
  let organizationId: string;
  let userId: string;
  let pat: string;
  let environmentId: string;
  let environmentToken: string;
  const dir = mkdtempSync(join(tmpdir(), 'envid-cli-e2e-'));
  let home = 0;
  /** A fresh HOME (and no XDG_CONFIG_HOME) per test, so saved logins never leak between tests. */
  const freshHome = () => ({ HOME: join(dir, `home-${++home}`) });

  beforeAll(async () => {
    server = await startEnvid();
    ({ organizationId, userId, pat, environmentId, environmentToken } = await setUpEnvironmentThroughApi(
      server.url,
      server.adminToken,
    ));
  });

  afterAll(async () => {
    if (server) {
      expect(await server.stop()).toBe(0);
      removeDir(server.dataDir);
    }
    removeDir(dir);
  });

  it('login checks the credential, says whose it is and saves it 0600; whoami and token then use it; logout forgets it', async () => {
    const env = freshHome();
    const login = await runCli(['login', '--host', `${server.url}/`, '--token', pat], env);
    expect(login.stderr).toBe('');
    expect(login.code).toBe(0);
    expect(login.stdout).toContain(
      `Logged in to ${server.url} as user ${userId} in organization ${organizationId}`,
    );
    const file = join(env.HOME, '.config', 'envid', 'credentials.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(env.HOME, '.config', 'envid')).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ host: server.url, token: pat });

    const whoami = await runCli(['idp', 'whoami', '--json'], env);
    expect(whoami.code).toBe(0);
    expect(JSON.parse(whoami.stdout)).toEqual({
      host: server.url,
      organizationId,
      subject: { id: userId, principal: 'PRINCIPAL_USER' },
    });
    const token = await runCli(['idp', 'token', '--audience', 'vault'], env);
    expect(token.code).toBe(0);
    expect(claimsOf(token.stdout.trim()).aud).toBe('vault');

    expect((await runCli(['logout'], env)).code).toBe(0);
    const after = await runCli(['idp', 'whoami'], env);
    expect(after.code).toBe(2);
    expect(after.stderr).toMatch(/--host.*ENVID_HOST.*envid login/);
  });

  it('login with a refused credential exits 3 naming the host and saves nothing; --token - reads stdin', async () => {
    const env = freshHome();
    const refused = await runCli(['login', '--host', server.url, '--token', 'envid_pat_nope'], env);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain(`${server.url} refused the credential`);
    expect(() => statSync(join(env.HOME, '.config', 'envid', 'credentials.json'))).toThrow(/ENOENT/);

    const xdg = { ...env, XDG_CONFIG_HOME: join(dir, `xdg-${home}`) };
    const fromStdin = await runCli(['login', '--host', server.url, '--token', '-'], xdg, {
      input: `${pat}\n`,
    });
    expect(fromStdin.code).toBe(0);
    expect(
      JSON.parse(readFileSync(join(xdg.XDG_CONFIG_HOME, 'envid', 'credentials.json'), 'utf8')).token,
    ).toBe(pat);
  });

  it('idp token prints the JWT alone, for one or several audiences and a lifetime, verifiable with the JWKS', async () => {
    const env = { ...freshHome(), ENVID_HOST: server.url, ENVID_TOKEN: environmentToken };
    const one = await runCli(['idp', 'token', '--audience', 'sts.amazonaws.com'], env);
    expect(one.code).toBe(0);
    expect(one.stderr).toBe('');
    expect(one.stdout.endsWith('\n')).toBe(true);
    const token = one.stdout.slice(0, -1);
    expect(token).toMatch(jwtPattern);
    const jwks = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(token, jwks, { issuer: server.url, audience: 'sts.amazonaws.com' });
    expect(payload['environment_id']).toBe(environmentId);

    const several = await runCli(
      ['idp', 'token', '--audience', 'a', '--audience', 'b', '--audience', 'a', '--lifetime', '2m'],
      env,
    );
    expect(several.code).toBe(0);
    const claims = claimsOf(several.stdout.trim());
    expect(claims.aud).toEqual(['a', 'b']);
    expect(claims.exp - claims.iat).toBe(120);

    // Flags win over the environment.
    const flagged = await runCli(['idp', 'token', '--audience', 'x', '--token', pat], env);
    expect(claimsOf(flagged.stdout.trim()).sub).not.toBe(claims.sub);
  });

  it("idp token --decode prints what Ona's CLI prints; --decode=jose the JOSE header and claims", async () => {
    const env = { ...freshHome(), ENVID_HOST: server.url, ENVID_TOKEN: environmentToken };
    const decoded = await runCli(['idp', 'token', '--audience', 'vault', '--decode'], env);
    expect(decoded.code).toBe(0);
    const ona = JSON.parse(decoded.stdout);
    expect(Object.keys(ona)).toEqual(['Claims', 'Header']);
    expect(ona.Header).toEqual([
      { KeyID: expect.any(String), JSONWebKey: null, Algorithm: 'RS256', Nonce: '', ExtraHeaders: null },
    ]);
    expect(ona.Claims).toMatchObject({ aud: 'vault', iss: server.url, environment_id: environmentId });
    const keys = Object.keys(ona.Claims);
    expect(keys).toEqual([...keys].sort());

    const jose = await runCli(['idp', 'token', '--audience', 'vault', '--decode=jose'], env);
    expect(jose.code).toBe(0);
    const json = JSON.parse(jose.stdout);
    expect(Object.keys(json)).toEqual(['Header', 'Claims']);
    expect(json.Header).toEqual({ alg: 'RS256', typ: 'JWT', kid: ona.Header[0].KeyID });
    expect(Object.keys(json.Claims).slice(0, 7)).toEqual(['iss', 'sub', 'aud', 'iat', 'nbf', 'exp', 'jti']);
    expect(json.Claims).toMatchObject({ aud: 'vault', environment_id: environmentId });

    const wrong = await runCli(['idp', 'token', '--audience', 'vault', '--decode=yaml'], env);
    expect(wrong).toMatchObject({ code: 2, stdout: '' });
    expect(wrong.stderr).toMatch(/invalid --decode value "yaml": use --decode .* or --decode=jose/);
  });

  it('idp whoami describes an environment credential', async () => {
    const env = { ...freshHome(), ENVID_HOST: server.url, ENVID_TOKEN: environmentToken };
    const whoami = await runCli(['idp', 'whoami'], env);
    expect(whoami.code).toBe(0);
    expect(whoami.stdout).toBe(
      `host:         ${server.url}\nprincipal:    environment\nid:           ${environmentId}\norganization: ${organizationId}\n`,
    );
  });

  it('exits with the documented codes and one-line messages, without stack traces', async () => {
    const env = { ...freshHome(), ENVID_HOST: server.url, ENVID_TOKEN: environmentToken };
    const cases: [string[], NodeJS.ProcessEnv, number, RegExp][] = [
      [['idp', 'token'], env, 2, /missing --audience/],
      [['idp', 'token', '--audience', 'a', '--nope'], env, 2, /unknown option '--nope'/],
      [['idp', 'token', '--audience', 'a', '--lifetime', '10h'], env, 2, /--lifetime: "10h" is longer/],
      [
        ['idp', 'token', '--audience', 'a'],
        { ...env, ENVID_TOKEN: 'envid_env_revoked' },
        3,
        /refused the credential from ENVID_TOKEN/,
      ],
      [['idp', 'token', '--audience', 'a'], { ...env, ENVID_TOKEN: server.adminToken }, 3, /does not allow/],
      [
        ['idp', 'token', '--audience', 'a'],
        { HOME: env.HOME },
        2,
        /--host URL, set ENVID_HOST, or run `envid login/,
      ],
      [
        ['idp', 'token', '--audience', 'a'],
        { HOME: env.HOME, ENVID_HOST: server.url },
        2,
        /--token.*ENVID_TOKEN.*envid login/,
      ],
      [['help', 'nothing'], env, 2, /no command or help topic/],
      [
        ['idp', 'token', '--audience', 'a', '--output-file', join(dir, 'no', 'such', 'dir', 't')],
        env,
        2,
        /cannot write --output-file .*: directory .* does not exist/,
      ],
    ];
    for (const [args, caseEnv, code, message] of cases) {
      const result = await runCli(args, caseEnv);
      expect({ args, code: result.code }).toEqual({ args, code });
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/);
      // One line, or commander's three: the problem, the command's usage line, where the examples are.
      expect(result.stderr.trim().split('\n').length).toBeLessThanOrEqual(3);
      expect(result.stdout).toBe('');
    }
    const unreachableHost = `http://127.0.0.1:${await closedPort()}`;
    const unreachable = await runCli(['idp', 'token', '--audience', 'a'], {
      ...env,
      ENVID_HOST: unreachableHost,
    });
    expect(unreachable.code).toBe(5);
    expect(unreachable.stderr).toContain(`cannot reach the envid server at ${unreachableHost}`);
    // Not found: an envid server at a path where there is none answers 404 without a Connect error.
    const wrongPath = await runCli(['idp', 'whoami'], { ...env, ENVID_HOST: `${server.url}/nothing-here` });
    expect(wrongPath.code).toBe(4);
  });

  it('help exit-codes prints the table; every command has a summary, a description and examples', async () => {
    const table = await runCli(['help', 'exit-codes'], {});
    expect(table.code).toBe(0);
    for (const code of [0, 1, 2, 3, 4, 5]) expect(table.stdout).toMatch(new RegExp(`^  ${code}  \\S`, 'm'));
    for (const command of [
      [],
      ['login'],
      ['logout'],
      ['idp'],
      ['idp', 'token'],
      ['idp', 'whoami'],
      ['idp', 'login'],
      ['idp', 'login', 'azure'],
      ['idp', 'login', 'aws'],
      ['idp', 'aws-credentials'],
      ['serve'],
    ]) {
      const help = await runCli([...command, '--help'], {});
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('Examples:');
      expect(help).toEqual(await runCli(['help', ...command], {}));
    }
  });

  it('--version and -V print package.json’s version; a command’s own --version stays that command’s', async () => {
    const { version } = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8'));
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    for (const flag of ['--version', '-V']) {
      expect(await runCli([flag], {})).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    }
    expect((await runCli(['--help'], {})).stdout).toContain('-V, --version');
    // oidc-config's --version v3 reaches the command (which then needs a server).
    const preview = await runCli(['oidc-config', 'preview', '--version', 'v9'], {});
    expect(preview.code).toBe(2);
    expect(preview.stderr).toContain('invalid --version "v9": must be v3 or v2');
  });

  it('--output-file writes the token atomically with mode 0600 and no newline', async () => {
    const env = { ...freshHome(), ENVID_HOST: server.url, ENVID_TOKEN: environmentToken };
    const path = join(dir, 'plain', 'token');
    execFileSync('mkdir', ['-p', join(dir, 'plain')]);
    const result = await runCli(['idp', 'token', '--audience', 'a', '--output-file', path], env);
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(readFileSync(path, 'utf8')).toMatch(jwtPattern);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(dir, 'plain'))).toEqual(['token']);
  });

  it('--refresh renews the file at 2/3 of a 60 s lifetime (time scaled), never half-written, until SIGTERM', async () => {
    const tokenDir = join(dir, 'refresh');
    execFileSync('mkdir', ['-p', tokenDir]);
    const path = join(tokenDir, 'token');
    const child = spawn(
      process.execPath,
      [
        envidBin,
        'idp',
        'token',
        '--audience',
        'sts.amazonaws.com',
        '--lifetime',
        '60s',
        '--output-file',
        path,
        '--refresh',
      ],
      {
        env: {
          PATH: process.env['PATH'],
          ...testRunEnv(),
          ...freshHome(),
          ENVID_HOST: server.url,
          ENVID_TOKEN: environmentToken,
          // 2/3 of 60 s = 40 s, scaled down to about 0.4 s.
          ENVID_CLI_TEST_TIME_SCALE: '100',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const seen = new Set<string>();
    // Read as fast as we can while it renews: every read is a whole token.
    await waitFor('three tokens', () => {
      let content: string;
      try {
        content = readFileSync(path, 'utf8');
      } catch {
        return false;
      }
      expect(content).toMatch(jwtPattern);
      const claims = claimsOf(content);
      expect(claims.exp - claims.iat).toBe(60);
      seen.add(claims.jti);
      return seen.size >= 3;
    });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
    expect(readdirSync(tokenDir)).toEqual(['token']);
  });

  it('--refresh --background detaches, writes a pid file, renews, and removes the pid file on SIGTERM', async () => {
    const tokenDir = join(dir, 'background');
    execFileSync('mkdir', ['-p', tokenDir]);
    const path = join(tokenDir, 'token');
    const env = {
      ...freshHome(),
      ENVID_HOST: server.url,
      ENVID_TOKEN: environmentToken,
      ENVID_CLI_TEST_TIME_SCALE: '100',
    };
    const started = await runCli(
      [
        'idp',
        'token',
        '--audience',
        'a',
        '--lifetime',
        '60s',
        '--output-file',
        path,
        '--refresh',
        '--background',
      ],
      env,
    );
    expect(started.code).toBe(0);
    expect(started.stdout).toBe('');
    const pid = Number(readFileSync(`${path}.pid`, 'utf8'));
    expect(started.stderr).toContain(`pid ${pid}`);
    const first = claimsOf(readFileSync(path, 'utf8')).jti;
    try {
      await waitFor('a renewal', () => claimsOf(readFileSync(path, 'utf8')).jti !== first);
    } finally {
      process.kill(pid, 'SIGTERM');
    }
    await waitFor('the pid file to go', () => !readdirSync(tokenDir).includes('token.pid'));
    expect(readdirSync(tokenDir).sort()).toEqual(['token', 'token.log']);
  });

  it('--refresh ends by itself, exit code 0, once its directory is removed', async () => {
    const tokenDir = join(dir, 'removed-foreground');
    mkdirSync(tokenDir);
    const path = join(tokenDir, 'token');
    // No time scale: the next renewal is 40 minutes away, so only the removal can end it now.
    const child = spawn(
      process.execPath,
      [envidBin, 'idp', 'token', '--audience', 'a', '--output-file', path, '--refresh'],
      {
        env: {
          PATH: process.env['PATH'],
          ...testRunEnv(),
          ...freshHome(),
          ENVID_HOST: server.url,
          ENVID_TOKEN: environmentToken,
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    try {
      await waitFor('the first token', () => existsSync(path));
      removeDir(tokenDir);
      await waitFor('the refresher to end', () => child.exitCode !== null, 10_000);
      expect(child.exitCode).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
    expect(stderr).toBe(`envid: ${tokenDir} was removed: stopped renewing ${path}\n`);
  });

  it('--refresh --background ends by itself once its directory is removed (nothing is left running)', async () => {
    const tokenDir = join(dir, 'removed-background');
    mkdirSync(tokenDir);
    const path = join(tokenDir, 'token');
    const env = { ...freshHome(), ENVID_HOST: server.url, ENVID_TOKEN: environmentToken };
    const started = await runCli(
      ['idp', 'token', '--audience', 'a', '--output-file', path, '--refresh', '--background'],
      env,
    );
    expect(started.code).toBe(0);
    const pid = Number(readFileSync(`${path}.pid`, 'utf8'));
    const first = readFileSync(path, 'utf8');
    try {
      // Once the detached process has written its own first token, it is in its renewal loop.
      await waitFor('the detached refresher’s first token', () => readFileSync(path, 'utf8') !== first);
      expect(isRunning(pid)).toBe(true);
      removeDir(tokenDir);
      await waitFor('the detached refresher to end', () => !isRunning(pid), 10_000);
    } finally {
      if (isRunning(pid)) process.kill(pid, 'SIGKILL');
    }
  });

  it('idp token loads no package at all (not even commander) and none of the server, database or logging code', async () => {
    const log = join(dir, 'modules.log');
    const hook = join(import.meta.dirname, '../support/module-log.mjs');
    const env = {
      ...freshHome(),
      ENVID_HOST: server.url,
      ENVID_TOKEN: environmentToken,
      ENVID_MODULE_LOG: log,
    };
    const result = await runCli(['idp', 'token', '--audience', 'a', '--decode'], env, {
      nodeArgs: ['--import', hook],
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).Claims.aud).toBe('a');
    const urls = readFileSync(log, 'utf8').trim().split('\n');
    const chunks = [
      ...new Set(urls.filter((url) => url.includes('/dist/')).map((url) => url.replace(/^.*\/dist\//, ''))),
    ];
    // The hook itself is the proof the log works: it saw the entry. The fast path is that one file.
    expect(chunks).toEqual(['envid.cjs']);
    expect([...new Set(urls.filter((url) => url.includes('/bin/')))]).toEqual([
      expect.stringMatching(/\/bin\/envid\.js$/),
    ]);
    expect(urls.filter((url) => url.includes('/node_modules/'))).toEqual([]);
  });

  it('idp token with --help, or a flag it does not know, goes through the full CLI (commander) instead', async () => {
    const help = await runCli(['idp', 'token', '--help'], freshHome());
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--output-file <path>');
    expect(help.stdout).toContain('--host <url>');
    const unknown = await runCli(['idp', 'token', '--audience', 'a', '--bogus'], freshHome());
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--bogus'");
  });
});

import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectCall, setUpEnvironmentThroughApi } from '../support/api-setup.ts';
import { closedPort } from '../support/closed-port.ts';
import { type EnvidProcess, removeDir, startEnvid } from '../support/envid-process.ts';
import { type CliResult, runCli } from '../support/run-cli.ts';

// Errors that name their fix (issue 12), each through the built CLI; one real server for the file.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

const hint = '(add --help for usage and examples)';

describe('errors that name their fix', () => {
  let server: EnvidProcess;
  let setup: Awaited<ReturnType<typeof setUpEnvironmentThroughApi>>;
  const dir = mkdtempSync(join(tmpdir(), 'envid-cli-errors-'));
  /** A host nothing listens on: a command that got as far as a request would exit 5, not 2. */
  let nowhere: string;

  beforeAll(async () => {
    server = await startEnvid();
    setup = await setUpEnvironmentThroughApi(server.url, server.adminToken);
    nowhere = `http://127.0.0.1:${await closedPort()}`;
  });

  afterAll(async () => {
    if (server) {
      expect(await server.stop()).toBe(0);
      removeDir(server.dataDir);
    }
    removeDir(dir);
  });

  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { HOME: dir, ...env });
  const failure = (result: CliResult) => ({
    code: result.code,
    stdout: result.stdout,
    stderr: result.stderr,
  });

  it("reports the option parser's errors like every usage error: envid:, the usage line, exit code 2", async () => {
    const cases: [string[], string, string][] = [
      [
        ['idp', 'token', '--audience', 'a', '--bogus'],
        "unknown option '--bogus'",
        'envid idp token [options]',
      ],
      [['org', 'create'], "required option '--name <name>' not specified", 'envid org create [options]'],
      [['keys', 'revoke'], "missing required argument 'key-id'", 'envid keys revoke [options] <key-id>'],
      [
        ['org', 'list', '--page-size'],
        "option '--page-size <n>' argument missing",
        'envid org list [options]',
      ],
      [['nothing'], "unknown command 'nothing'", 'envid [options] [command]'],
    ];
    for (const [args, problem, usage] of cases) {
      expect(failure(await cli(args, { ENVID_HOST: nowhere, ENVID_TOKEN: 'envid_pat_x' }))).toEqual({
        code: 2,
        stdout: '',
        stderr: `envid: ${problem}\nUsage: ${usage}\n${hint}\n`,
      });
    }
  });

  it('refuses a --lifetime outside 60 s to 1 h before any request, naming the flag and the range', async () => {
    const allowed = 'allowed: 60s to 1h (seconds, or a duration such as 900s, 15m or 1h)';
    for (const [value, problem] of [
      ['2h', 'is longer than the longest token lifetime'],
      ['1h30m', 'is longer than the longest token lifetime'],
      ['30s', 'is shorter than the shortest token lifetime'],
    ]) {
      const result = await cli(['idp', 'token', '--audience', 'a', '--lifetime', value!], {
        ENVID_HOST: nowhere,
        ENVID_TOKEN: setup.environmentToken,
      });
      expect(failure(result)).toEqual({
        code: 2,
        stdout: '',
        stderr: `envid: --lifetime: ${JSON.stringify(value)} ${problem}; ${allowed}\n`,
      });
    }
    const hour = await cli(['idp', 'token', '--audience', 'a', '--lifetime', '1h'], {
      ENVID_HOST: server.url,
      ENVID_TOKEN: setup.environmentToken,
    });
    expect(hour.code).toBe(0);
  });

  it('names the missing directory of --output-file, before a token is asked for', async () => {
    const missing = join(dir, 'no', 'such');
    const target = join(missing, 'token');
    const env = { ENVID_HOST: nowhere, ENVID_TOKEN: setup.environmentToken };
    expect(failure(await cli(['idp', 'token', '--audience', 'a', '--output-file', target], env))).toEqual({
      code: 2,
      stdout: '',
      stderr: `envid: cannot write --output-file ${target}: directory ${missing} does not exist\n`,
    });
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    const under = join(file, 'token');
    expect(
      failure(await cli(['idp', 'token', '--audience', 'a', '--output-file', under, '--refresh'], env)),
    ).toEqual({
      code: 2,
      stdout: '',
      stderr: `envid: cannot write --output-file ${under}: ${file} is not a directory\n`,
    });
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('says that https:// was assumed for a host without a scheme when it cannot connect', async () => {
    const bare = server.url.replace(/^http:\/\//, '');
    const note = (source: string) =>
      `(${source} has no scheme, so https:// was assumed; for a server without TLS use http://${bare})`;
    const viaFlag = await cli(['idp', 'whoami', '--host', bare, '--token', setup.environmentToken]);
    expect(viaFlag.code).toBe(5);
    expect(viaFlag.stderr).toMatch(/^envid: cannot reach the envid server at https:\/\/127\.0\.0\.1:\d+: /);
    expect(viaFlag.stderr).toContain(note('--host'));
    const viaEnv = await cli(['idp', 'token', '--audience', 'a'], {
      ENVID_HOST: bare,
      ENVID_TOKEN: setup.environmentToken,
    });
    expect(viaEnv.code).toBe(5);
    expect(viaEnv.stderr).toContain(note('ENVID_HOST'));
    // The form it suggests works; a host given with its scheme gets no such note.
    const suggested = await cli([
      'idp',
      'whoami',
      '--host',
      `http://${bare}`,
      '--token',
      setup.environmentToken,
    ]);
    expect(suggested.code).toBe(0);
    const withScheme = await cli(['idp', 'whoami', '--host', nowhere, '--token', setup.environmentToken]);
    expect(withScheme.code).toBe(5);
    expect(withScheme.stderr).not.toContain('was assumed');
  });

  it("says a stopped environment's token works again once the environment is started", async () => {
    const env = { ENVID_HOST: server.url, ENVID_TOKEN: setup.environmentToken };
    const { environmentId } = setup;
    await connectCall(server.url, setup.pat, 'EnvironmentService/StopEnvironment', { environmentId });
    try {
      expect(failure(await cli(['idp', 'token', '--audience', 'a'], env))).toEqual({
        code: 3,
        stdout: '',
        stderr:
          `envid: ${server.url} refused the credential from ENVID_TOKEN: environment ${environmentId} is stopped: ` +
          `its tokens work again once it is started (\`envid env start ${environmentId}\`, or by its runner)\n`,
      });
    } finally {
      const started = await cli(['env', 'start', environmentId], { ...env, ENVID_TOKEN: setup.pat });
      expect(started.code).toBe(0);
    }
    expect((await cli(['idp', 'token', '--audience', 'a'], env)).code).toBe(0);
    // An unknown credential still gets the general advice, and nothing about any environment.
    const unknown = await cli(['idp', 'token', '--audience', 'a'], {
      ...env,
      ENVID_TOKEN: 'envid_ent_unknown',
    });
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('It may be mistyped, revoked or expired');
    expect(unknown.stderr).not.toContain('environment');
  });

  it('keys rotate that rotates nothing exits 6 with the reason on stderr, the keys on stdout', async () => {
    const env = { ENVID_HOST: server.url, ENVID_TOKEN: server.adminToken };
    const reason =
      'envid: not rotated: the next key has not been published long enough for relying parties to know it; ' +
      'it takes over as soon as it has (an emergency: RevokeSigningKey)\n';
    const text = await cli(['keys', 'rotate'], env);
    expect({ code: text.code, stderr: text.stderr }).toEqual({ code: 6, stderr: reason });
    expect(text.stdout).toMatch(/^KEY ID\s+STATE/m);
    expect(text.stdout).toMatch(/\bcurrent\b/);
    const json = await cli(['keys', 'rotate', '--json'], env);
    expect({ code: json.code, stderr: json.stderr }).toEqual({ code: 6, stderr: reason });
    expect(JSON.parse(json.stdout)).toMatchObject({ rotated: false });
    const table = await cli(['help', 'exit-codes']);
    expect(table.stdout).toMatch(/^ {2}6 {2}nothing done: /m);
  });

  it('envid serve on a port in use says so (exit 2) before it creates a data directory or prints a token', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const { port } = busy.address() as { port: number };
    const dataDir = join(dir, 'serve-data');
    try {
      const result = await cli(['serve', '--port', String(port), '--data-dir', dataDir], {
        ENVID_BOOTSTRAP_TOKEN: '',
      });
      expect(failure(result)).toEqual({
        code: 2,
        stdout: '',
        stderr: `envid serve: port ${port} is in use on 127.0.0.1: stop what listens there, or choose another --port (env ENVID_PORT)\n`,
      });
      expect(existsSync(dataDir)).toBe(false);
    } finally {
      await new Promise((resolve) => busy.close(resolve));
    }
  });
});

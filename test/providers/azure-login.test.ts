import { execFile } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type EntraStandIn, startEntraStandIn } from '../stand-ins/azure-entra.ts';
import { setUpEnvironmentThroughApi } from '../support/api-setup.ts';
import { closedPort } from '../support/closed-port.ts';
import { mapConcurrently } from '../support/concurrently.ts';
import { installEnvid } from '../support/envid-on-path.ts';
import { type EnvidProcess, removeDir, startEnvid } from '../support/envid-process.ts';
import { claimsOf, jwtPart } from '../support/jwt-parts.ts';
import { pathWithOnly } from '../support/program-path.ts';
import { runCli } from '../support/run-cli.ts';
import { makeTestCertificates, type TestCertificates } from '../support/test-ca.ts';
import { waitFor } from '../support/wait-for.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

const tenant = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const subscription = '0b1f6471-1bf0-4dda-aec3-cb9272f09590';
/** Application (client) IDs of the stand-in's app registrations, one per trust situation. */
const apps = {
  trusted: '11111111-1111-4111-8111-111111111111',
  otherSubject: '22222222-2222-4222-8222-222222222222',
  otherIssuer: '33333333-3333-4333-8333-333333333333',
  otherAudience: '44444444-4444-4444-8444-444444444444',
  noCredentials: '55555555-5555-4555-8555-555555555555',
  propagating: '66666666-6666-4666-8666-666666666666',
  unreachableIssuer: '77777777-7777-4777-8777-777777777777',
};
/** Apps told to answer a code a valid envid token cannot cause (expired, signature, key, issuer unreachable). */
const refusingApps = {
  700024: '88888888-0000-4000-8000-700024000000',
  700027: '88888888-0000-4000-8000-700027000000',
  900384: '88888888-0000-4000-8000-900384000000',
  7000272: '88888888-0000-4000-8000-700027200000',
  90061: '88888888-0000-4000-8000-900610000000',
};
const trustedObjectId = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const audience = 'api://AzureADTokenExchange';
const scope = 'https://management.azure.com/.default';

function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { env, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('envid idp login azure against an Entra ID stand-in over TLS, read back by @azure/identity', () => {
  let certificates: TestCertificates;
  let server: EnvidProcess;
  let entra: EntraStandIn;
  let environmentToken: string;
  let sub: string;
  let unreachableIssuer: string;
  const dir = mkdtempSync(join(tmpdir(), 'envid-azure-'));
  const sdkScript = join(import.meta.dirname, '../support/azure-sdk-token.mjs');
  const fakeAzDir = join(dir, 'fake-az-bin');
  /** envid installed as `npm install -g` links it: what the refresher runs. */
  const installedBin = installEnvid(dir);
  /** A PATH with that envid and without az, even where az is installed (the login then skips it). */
  const noAzPath = [installedBin, pathWithOnly(join(dir, 'no-az-bin'))].join(delimiter);
  const refreshers: number[] = [];
  let homes = 0;
  const freshEnv = (extra: NodeJS.ProcessEnv = {}) => {
    const HOME = join(dir, `home-${++homes}`);
    mkdirSync(HOME);
    // As in a usual home directory (Debian's skeleton has one): login shells read it.
    writeFileSync(join(HOME, '.profile'), '# ~/.profile\n');
    return {
      HOME,
      ENVID_HOST: server.url,
      ENVID_TOKEN: environmentToken,
      NODE_EXTRA_CA_CERTS: certificates.caFile,
      PATH: noAzPath,
      ...extra,
    } as Record<string, string>;
  };
  const login = (app: string, env: Record<string, string>, more: string[] = []) =>
    runCli(
      [
        'idp',
        'login',
        'azure',
        '--client-id',
        app,
        '--tenant-id',
        tenant,
        '--authority-host',
        entra.url,
        ...more,
      ],
      env,
    );
  /** The real Azure SDK in a login shell of that HOME, reading what the login wrote (~/.profile). */
  const sdkInLoginShell = async (kind: string, env: Record<string, string>) => {
    const result = await run('bash', ['-lc', `exec "${process.execPath}" "${sdkScript}" ${kind} ${scope}`], {
      HOME: env['HOME'],
      PATH: process.env['PATH'],
      NODE_EXTRA_CA_CERTS: certificates.caFile,
    });
    return JSON.parse(result.stdout || JSON.stringify({ ok: false, message: result.stderr }));
  };

  beforeAll(async () => {
    certificates = await makeTestCertificates();
    server = await startEnvid();
    ({ environmentToken } = await setUpEnvironmentThroughApi(server.url, server.adminToken));
    const token = await runCli(['idp', 'token', '--audience', audience], {
      ENVID_HOST: server.url,
      ENVID_TOKEN: environmentToken,
    });
    sub = claimsOf(token.stdout.trim()).sub;
    unreachableIssuer = `http://127.0.0.1:${await closedPort()}`;
    const credential = (
      name: string,
      issuer: string,
      subject: string,
      aud = audience,
      propagating = false,
    ) => ({
      name,
      issuer,
      subject,
      audiences: [aud],
      propagating,
    });
    const app = (
      appId: string,
      federatedCredentials: ReturnType<typeof credential>[],
      objectId = appId.replace(/^./, 'f'),
    ) => ({
      tenantId: tenant,
      appId,
      objectId,
      federatedCredentials,
    });
    entra = await startEntraStandIn(certificates, [
      app(apps.trusted, [credential('envid-dev', server.url, sub)], trustedObjectId),
      app(apps.otherSubject, [credential('envid-other', server.url, `${sub}:other`)]),
      app(apps.otherIssuer, [credential('elsewhere', 'https://elsewhere.example', sub)]),
      app(apps.otherAudience, [credential('envid-aud', server.url, sub, 'api://Other')]),
      app(apps.noCredentials, []),
      app(apps.propagating, [credential('envid-new', server.url, sub, audience, true)]),
      app(apps.unreachableIssuer, [credential('gone', unreachableIssuer, sub)]),
      ...Object.entries(refusingApps).map(([code, appId]) => ({
        ...app(appId, [credential('envid-dev', server.url, sub)]),
        refuseWith: Number(code),
      })),
    ]);
    // A stand-in for the az command (first on PATH, so also where az is installed): records its arguments
    // and the federated token it got, fails on request. Like az (azure-cli core), it loads an argument
    // value `@-` from stdin and `@<path>` from that file.
    mkdirSync(fakeAzDir);
    writeFileSync(
      join(fakeAzDir, 'az'),
      [
        '#!/bin/sh',
        'printf \'%s\\n\' "$*" >> "$AZ_LOG"',
        'previous=',
        'for arg in "$@"; do',
        '  if [ "$previous" = --federated-token ]; then',
        // Shell builtins only: the tests' PATH may hold no cat. `read` sets the line even without a newline.
        '    case "$arg" in',
        '      @-) IFS= read -r token || true ;;',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the shell's parameter expansion
        '      @*) IFS= read -r token < "${arg#@}" || true ;;',
        '      *) token=$arg ;;',
        '    esac',
        '    printf \'%s\\n\' "$token" >> "$AZ_LOG.token"',
        '  fi',
        '  previous=$arg',
        'done',
        'if [ -n "$AZ_FAIL" ]; then echo "ERROR: AADSTS700024: expired $token" >&2; exit 1; fi',
        '',
      ].join('\n'),
    );
    chmodSync(join(fakeAzDir, 'az'), 0o755);
  });

  afterAll(async () => {
    // Every refresher a login started, also those of a test that failed before noting its pid.
    for (let home = 1; home <= homes; home++) {
      const pidFile = join(dir, `home-${home}`, '.config/envid/azure/federated-token.pid');
      if (existsSync(pidFile)) refreshers.push(Number(readFileSync(pidFile, 'utf8')));
    }
    for (const pid of refreshers) if (alive(pid)) process.kill(pid, 'SIGTERM');
    await entra?.close();
    if (server) {
      await server.stop();
      removeDir(server.dataDir);
    }
    removeDir(dir);
    if (certificates) removeDir(certificates.dir);
  });

  it('exchanges a fresh token, keeps a token file fresh, writes AZURE_* for shells, logs az in; the SDK credentials then work', async () => {
    const azLog = join(dir, 'az.log');
    const env = freshEnv({ PATH: `${fakeAzDir}${delimiter}${noAzPath}`, AZ_LOG: azLog });
    const result = await login(apps.trusted, env, ['--subscription-id', subscription]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const azureDir = join(env['HOME']!, '.config', 'envid', 'azure');
    const tokenFile = join(azureDir, 'federated-token');
    const envFile = join(env['HOME']!, '.config', 'envid', 'env.sh');
    const pid = Number(readFileSync(`${tokenFile}.pid`, 'utf8'));
    refreshers.push(pid);
    expect(result.stdout).toContain(
      `Exchanged an envid token with Entra ID for application ${apps.trusted} in tenant ${tenant}.`,
    );
    expect(result.stdout).toContain(`Token file ${tokenFile} (renewed in the background: pid ${pid}`);
    expect(result.stdout).toContain(
      `AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE, AZURE_AUTHORITY_HOST (what DefaultAzureCredential and WorkloadIdentityCredential read) in ${envFile}, sourced by ${join(env['HOME']!, '.bashrc')}, ${join(env['HOME']!, '.profile')} for new shells; in this one run: . ${envFile}`,
    );
    expect(result.stdout).toContain(`selected subscription ${subscription}`);

    // The exchange Entra saw: client credentials with the envid token as client assertion.
    const exchange = entra.tokenRequests.at(-1)!;
    expect(exchange).toMatchObject({
      client_id: apps.trusted,
      scope,
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    });
    expect(claimsOf(exchange['client_assertion']!)).toMatchObject({ iss: server.url, sub, aud: audience });

    // The files: token 0600 with that audience, a live refresher, the variables, the hooks.
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(claimsOf(readFileSync(tokenFile, 'utf8')).aud).toBe(audience);
    expect(alive(pid)).toBe(true);
    // The refresher runs the installed envid, never the script this login ran from.
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, 4)).toEqual([
      process.execPath,
      join(installedBin, 'envid'),
      'idp',
      'token',
    ]);
    expect(readFileSync(envFile, 'utf8')).toBe(
      `export AZURE_CLIENT_ID='${apps.trusted}'\nexport AZURE_TENANT_ID='${tenant}'\n` +
        `export AZURE_FEDERATED_TOKEN_FILE='${tokenFile}'\nexport AZURE_AUTHORITY_HOST='${entra.url}'\n`,
    );
    const hook = `[ -f '${envFile}' ] && . '${envFile}'`;
    expect(readFileSync(join(env['HOME']!, '.bashrc'), 'utf8')).toContain(`${hook}\n`);

    // az was logged in with the federated token, then the subscription selected. The token came on
    // stdin: a command line is readable by every local user (ps, /proc/<pid>/cmdline).
    const azCalls = readFileSync(azLog, 'utf8').trim().split('\n');
    expect(azCalls).toEqual([
      `login --service-principal --username ${apps.trusted} --tenant ${tenant} --federated-token @- --output none`,
      `account set --subscription ${subscription}`,
    ]);
    expect(azCalls.join('\n')).not.toMatch(/eyJ/);
    expect(readFileSync(`${azLog}.token`, 'utf8')).toBe(`${exchange['client_assertion']}\n`);

    // What the tools read: the Azure SDK's credentials in a login shell of that HOME.
    for (const kind of ['workload-identity', 'client-assertion', 'default']) {
      const sdk = await sdkInLoginShell(kind, env);
      expect({ kind, ...sdk, token: undefined, expiresOnTimestamp: undefined }).toEqual({ kind, ok: true });
      expect(sdk.token.split('.')).toHaveLength(3);
      expect(claimsOf(sdk.token)).toMatchObject({
        aud: 'https://management.azure.com',
        appid: apps.trusted,
        tid: tenant,
      });
      expect(claimsOf(entra.tokenRequests.at(-1)!['client_assertion']!).aud).toBe(audience);
    }

    // Logging in again (every environment start) replaces the refresher and adds no second hook.
    const again = await login(apps.trusted, { ...env, PATH: noAzPath });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('az is not installed');
    const newPid = Number(readFileSync(`${tokenFile}.pid`, 'utf8'));
    refreshers.push(newPid);
    expect(newPid).not.toBe(pid);
    await waitFor('the first refresher to end', () => !alive(pid));
    expect(readFileSync(join(env['HOME']!, '.profile'), 'utf8').split(hook).length).toBe(2);
  });

  it('sources env.sh before the "not interactive" guard of Debian’s .bashrc, so non-interactive bash sees the variables', async () => {
    const skeleton = readFileSync('/etc/skel/.bashrc', 'utf8');
    expect(skeleton).toMatch(/\*\) return;;/);
    const fresh = freshEnv();
    const upgraded = freshEnv();
    const envFile = (env: Record<string, string>) => join(env['HOME']!, '.config', 'envid', 'env.sh');
    const hook = (env: Record<string, string>) =>
      `# envid: variables set by \`envid idp login\`\n[ -f '${envFile(env)}' ] && . '${envFile(env)}'\n`;
    writeFileSync(join(fresh['HOME']!, '.bashrc'), skeleton);
    // What an earlier envid wrote: the hook appended after the guard.
    writeFileSync(join(upgraded['HOME']!, '.bashrc'), `${skeleton}${hook(upgraded)}`);
    for (const env of [fresh, upgraded]) {
      const result = await login(apps.trusted, env);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const bashrc = readFileSync(join(env['HOME']!, '.bashrc'), 'utf8');
      expect(bashrc).toBe(`${hook(env)}${skeleton}`);
      const shell = { HOME: env['HOME']!, PATH: process.env['PATH']! };
      const print = 'printf %s "$AZURE_CLIENT_ID"';
      // bash reads ~/.bashrc without a terminal for `ssh host cmd`, and for BASH_ENV=~/.bashrc bash -c.
      const viaBashrc = await run('bash', ['-c', print], {
        ...shell,
        BASH_ENV: join(env['HOME']!, '.bashrc'),
      });
      expect(viaBashrc).toEqual({ code: 0, stdout: apps.trusted, stderr: '' });
      // What docs/providers/azure.md tells IDE tasks and cron jobs, which read no start-up file.
      const viaEnvFile = await run('bash', ['-c', print], { ...shell, BASH_ENV: envFile(env) });
      expect(viaEnvFile.stdout).toBe(apps.trusted);
      // Logging in again (every environment start) leaves it as it is: one hook, first.
      expect((await login(apps.trusted, env)).code).toBe(0);
      expect(readFileSync(join(env['HOME']!, '.bashrc'), 'utf8')).toBe(bashrc);
    }
  });

  it('refuses without an installed envid on PATH, before any exchange; starts and writes nothing', async () => {
    const env = freshEnv({ PATH: join(dir, 'no-bin') });
    const before = entra.tokenRequests.length;
    const result = await login(apps.trusted, env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      '`envid idp login azure` writes a command that runs envid again later, but no installed envid is on PATH',
    );
    expect(result.stdout).toBe('');
    expect(entra.tokenRequests.length).toBe(before);
    expect(existsSync(join(env['HOME']!, '.config'))).toBe(false);
  });

  it('takes its values from IDP_AZURE_*; reports az’s own failure without the token', async () => {
    const env = freshEnv({
      PATH: `${fakeAzDir}${delimiter}${noAzPath}`,
      AZ_LOG: join(dir, 'az-fail.log'),
      AZ_FAIL: '1',
      IDP_AZURE_CLIENT_ID: apps.trusted,
      IDP_AZURE_TENANT_ID: tenant,
      AZURE_AUTHORITY_HOST: entra.url,
    });
    const result = await runCli(['idp', 'login', 'azure'], env);
    refreshers.push(
      Number(readFileSync(join(env['HOME']!, '.config/envid/azure/federated-token.pid'), 'utf8')),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'envid: az login failed after Entra accepted the token: ERROR: AADSTS700024: expired <token>',
    );
    expect(result.stderr).not.toMatch(/eyJ/);
    // What was set up before az ran is said all the same.
    expect(result.stdout).toContain('AZURE_FEDERATED_TOKEN_FILE');
    expect(readFileSync(join(dir, 'az-fail.log'), 'utf8')).toContain('--allow-no-subscriptions');
  });

  it('explains each Entra refusal with the token’s iss, sub and aud and the next step; writes nothing', async () => {
    const register = `"issuer": "${server.url}", "subject": "${sub}", "audiences": ["${audience}"]`;
    const facts = `token:    iss ${server.url}  sub ${sub}  aud ${audience}`;
    const cases: [string, string, string[], number, string[]][] = [
      [
        'no credential',
        apps.noCredentials,
        [],
        3,
        [
          'Azure (Entra ID) refused the exchange: AADSTS70021: no federated identity credential',
          facts,
          // Entra reveals no credential: the line says what one must hold, not what one holds.
          `expected: a federated credential of application ${apps.noCredentials} in tenant ${tenant} must hold: issuer ${server.url}  subject ${sub}  audience ${audience}`,
          `register exactly this subject (case-sensitive, no wildcards): az ad app federated-credential create --id ${apps.noCredentials} --parameters`,
          register,
          'provider said: AADSTS70021: No matching federated identity record found for presented assertion.',
          `noticed:  iss ${server.url} is not https; Entra only trusts https issuers`,
        ],
      ],
      [
        'still propagating',
        apps.propagating,
        [],
        3,
        ['AADSTS70021', 'wait a few minutes and run the login again'],
      ],
      [
        'other subject',
        apps.otherSubject,
        [],
        3,
        [
          'AADSTS700213: no federated identity credential',
          `expected: a federated credential of application ${apps.otherSubject} in tenant ${tenant} for this issuer must hold: subject ${sub} (case-sensitive, no wildcards)`,
          register,
        ],
      ],
      [
        'other issuer',
        apps.otherIssuer,
        [],
        3,
        [
          'AADSTS700211',
          `expected: a federated credential of application ${apps.otherIssuer} in tenant ${tenant} must hold: issuer ${server.url} (byte for byte`,
        ],
      ],
      [
        'other audience',
        apps.otherAudience,
        [],
        3,
        [
          'AADSTS700212',
          `expected: the federated credential for this issuer and subject must hold: audience ${audience}`,
          'or run the login with --audience',
        ],
      ],
      [
        'object ID',
        trustedObjectId,
        [],
        2,
        [
          'AADSTS700016: no application',
          "the app registration's Application (client) ID, not its Object ID",
          'pass --client-id with the Application (client) ID',
        ],
      ],
      ['audience flag', apps.trusted, ['--audience', 'api://Other'], 3, ['AADSTS700212', 'aud api://Other']],
      [
        'expired',
        refusingApps[700024],
        [],
        3,
        ['AADSTS700024: the token is outside its valid time range', facts, 'check the clocks'],
      ],
      [
        'signature',
        refusingApps[700027],
        [],
        3,
        [
          "AADSTS700027: the token's signature did not verify",
          `${server.url}/.well-known/openid-configuration serves the jwks_uri`,
        ],
      ],
      [
        'signature (JWT)',
        refusingApps[900384],
        [],
        3,
        ["AADSTS900384: the token's signature did not verify"],
      ],
      [
        'unknown key',
        refusingApps[7000272],
        [],
        3,
        [
          "AADSTS7000272: the token's signing key (kid) is not in the issuer's metadata",
          'envid idp token --decode shows the kid',
        ],
      ],
      [
        'issuer unreachable',
        refusingApps[90061],
        [],
        3,
        [
          "AADSTS90061: Entra could not fetch the issuer's discovery document or JWKS",
          `make ${server.url}/.well-known/openid-configuration and its jwks_uri reachable from the internet over https`,
        ],
      ],
    ];
    // Independent (a HOME each): run a few at a time, checked in order.
    const runs = await mapConcurrently(cases, 4, async ([, app, more]) => {
      const env = freshEnv();
      return { env, result: await login(app, env, more) };
    });
    for (const [index, [name, , , code, messages]] of cases.entries()) {
      const { env, result } = runs[index]!;
      expect({ name, code: result.code }).toEqual({ name, code });
      for (const message of messages) {
        expect({ name, stderr: result.stderr }).toEqual({ name, stderr: expect.stringContaining(message) });
      }
      expect(result.stderr).not.toMatch(/Trace ID|eyJ|\n\s+at .*:\d+:\d+/);
      expect(result.stdout).toBe('');
      expect(() => statSync(join(env['HOME']!, '.config'))).toThrow(/ENOENT/);
    }
    const otherTenant = await runCli(
      [
        'idp',
        'login',
        'azure',
        '--client-id',
        apps.trusted,
        '--tenant-id',
        'contoso.onmicrosoft.com',
        '--authority-host',
        entra.url,
      ],
      freshEnv(),
    );
    expect(otherTenant.code).toBe(2);
    expect(otherTenant.stderr).toContain('AADSTS90002: tenant contoso.onmicrosoft.com does not exist');
  });

  it('names the flag and its variable for missing or invalid values; says when Entra cannot be reached', async () => {
    const cases: [string[], NodeJS.ProcessEnv, number, string][] = [
      [
        ['--tenant-id', tenant],
        {},
        2,
        'missing --client-id (or the environment variable IDP_AZURE_CLIENT_ID)',
      ],
      [
        ['--client-id', apps.trusted],
        {},
        2,
        'missing --tenant-id (or the environment variable IDP_AZURE_TENANT_ID)',
      ],
      [
        ['--client-id', 'my-app', '--tenant-id', tenant],
        {},
        2,
        'invalid --client-id "my-app": must be the application (client) ID',
      ],
      [
        [],
        { IDP_AZURE_CLIENT_ID: apps.trusted, IDP_AZURE_TENANT_ID: 'not a tenant' },
        2,
        'invalid IDP_AZURE_TENANT_ID "not a tenant"',
      ],
      [
        ['--client-id', apps.trusted, '--tenant-id', tenant, '--subscription-id', 'prod'],
        {},
        2,
        'invalid --subscription-id "prod"',
      ],
      [
        ['--client-id', apps.trusted, '--tenant-id', tenant, '--authority-host', 'http://login.example'],
        {},
        2,
        'invalid --authority-host "http://login.example": must be an https URL',
      ],
    ];
    for (const [args, extra, code, message] of cases) {
      const result = await runCli(
        ['idp', 'login', 'azure', ...args],
        freshEnv(extra as Record<string, string>),
      );
      expect({ args, code: result.code, stderr: result.stderr }).toEqual({
        args,
        code,
        stderr: `envid: ${message}${result.stderr.slice(`envid: ${message}`.length)}`,
      });
    }
    const port = await closedPort();
    const unreachable = await runCli(
      [
        'idp',
        'login',
        'azure',
        '--client-id',
        apps.trusted,
        '--tenant-id',
        tenant,
        '--authority-host',
        `https://127.0.0.1:${port}`,
      ],
      freshEnv(),
    );
    expect(unreachable.code).toBe(5);
    expect(unreachable.stderr).toContain(
      `cannot reach Azure (Entra ID) at https://127.0.0.1:${port}/${tenant}/oauth2/v2.0/token: ECONNREFUSED`,
    );
  });

  it('the stand-in refuses forged or unverifiable assertions as Entra does, seen through ClientAssertionCredential', async () => {
    const token = (await runCli(['idp', 'token', '--audience', audience], freshEnv())).stdout.trim();
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = claimsOf(token);
    const forged = {
      '700027': `${header}.${jwtPart({ ...claims, jti: 'changed' })}.${signature}`,
      '7000272': `${jwtPart({ ...JSON.parse(Buffer.from(header, 'base64url').toString()), kid: 'unknown-kid' })}.${payload}.${signature}`,
      '90061': `${header}.${jwtPart({ ...claims, iss: unreachableIssuer })}.${signature}`,
    };
    for (const [code, assertion] of Object.entries(forged)) {
      const file = join(dir, `forged-${code}`);
      writeFileSync(file, assertion);
      const app = code === '90061' ? apps.unreachableIssuer : apps.trusted;
      const result = await run(process.execPath, [sdkScript, 'client-assertion', scope], {
        PATH: process.env['PATH'],
        NODE_EXTRA_CA_CERTS: certificates.caFile,
        AZURE_TENANT_ID: tenant,
        AZURE_CLIENT_ID: app,
        AZURE_FEDERATED_TOKEN_FILE: file,
        AZURE_AUTHORITY_HOST: entra.url,
      });
      const sdk = JSON.parse(result.stdout);
      // MSAL's server error, as the SDK hands it to apps.
      expect({ code, ok: sdk.ok, name: sdk.name }).toEqual({
        code,
        ok: false,
        name: 'AuthenticationRequiredError',
      });
      expect(sdk.message).toContain(`AADSTS${code}:`);
    }
  });
});

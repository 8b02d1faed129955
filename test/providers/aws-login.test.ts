import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromIni, fromProcess } from '@aws-sdk/credential-providers';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type StsStandIn, startStsStandIn } from '../stand-ins/aws-sts.ts';
import { connectCall, setUpEnvironmentThroughApi } from '../support/api-setup.ts';
import { closedPort } from '../support/closed-port.ts';
import { mapConcurrently } from '../support/concurrently.ts';
import { installEnvid } from '../support/envid-on-path.ts';
import { type EnvidProcess, envidBin, removeDir, startEnvid } from '../support/envid-process.ts';
import { claimsOf } from '../support/jwt-parts.ts';
import { installedProgram, pathWith } from '../support/program-path.ts';
import { runCli } from '../support/run-cli.ts';
import { titled } from '../support/skip-reason.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

const account = '123456789012';
const roleArn = (name: string) => `arn:aws:iam::${account}:role/${name}`;

/** The real aws CLI, when installed (a stand-in named aws that prints something else does not count). */
const awsCli = installedProgram('aws', ['--version'], /^aws-cli\/\d/);

describe('envid idp login aws against an STS stand-in, read back by the AWS SDK', () => {
  let server: EnvidProcess;
  let sts: StsStandIn;
  let emptySts: StsStandIn;
  let environmentId: string;
  let environmentToken: string;
  let sub: string;
  const dir = mkdtempSync(join(tmpdir(), 'envid-aws-'));
  let homes = 0;
  /** envid installed as `npm install -g` links it: the command credential_process names. */
  const installedBin = installEnvid(dir);
  /** A fresh HOME, the installed envid on PATH and the envid and STS settings a runner and the user would give. */
  const freshEnv = (stsUrl = sts.url) => {
    const HOME = join(dir, `home-${++homes}`);
    mkdirSync(HOME);
    return {
      HOME,
      PATH: pathWith(installedBin),
      ENVID_HOST: server.url,
      ENVID_TOKEN: environmentToken,
      AWS_ENDPOINT_URL_STS: stsUrl,
    };
  };

  beforeAll(async () => {
    server = await startEnvid();
    ({ environmentId, environmentToken } = await setUpEnvironmentThroughApi(server.url, server.adminToken));
    const decoded = await runCli(['idp', 'token', '--audience', 'sts.amazonaws.com'], {
      ENVID_HOST: server.url,
      ENVID_TOKEN: environmentToken,
    });
    sub = claimsOf(decoded.stdout.trim()).sub;
    const trust = (claim: 'sub' | 'aud', operator: 'StringEquals' | 'StringLike', values: string[]) => ({
      claim,
      operator,
      values,
    });
    const audOk = trust('aud', 'StringEquals', ['sts.amazonaws.com']);
    sts = await startStsStandIn({
      providers: [{ url: server.url, clientIds: ['sts.amazonaws.com'] }],
      roles: [
        {
          arn: roleArn('dev'),
          trustedIssuer: server.url,
          conditions: [trust('sub', 'StringEquals', [sub]), audOk],
          maxSessionDuration: 7200,
        },
        {
          arn: roleArn('wildcard'),
          trustedIssuer: server.url,
          conditions: [trust('sub', 'StringLike', [`${sub.slice(0, 12)}*`]), audOk],
        },
        {
          // Any V2 sub (org:<id>/…), for the organization the V2 test switches.
          arn: roleArn('v2'),
          trustedIssuer: server.url,
          conditions: [trust('sub', 'StringLike', ['org:*']), audOk],
        },
        {
          arn: roleArn('someone-else'),
          trustedIssuer: server.url,
          conditions: [trust('sub', 'StringEquals', ['org:x:env:y']), audOk],
        },
        ...[
          'ExpiredTokenException',
          'IDPCommunicationError',
          'IDPRejectedClaim',
          'MalformedPolicyDocument',
        ].map((code) => ({
          arn: roleArn(code),
          trustedIssuer: server.url,
          conditions: [],
          refuseWith: code,
        })),
      ],
    });
    emptySts = await startStsStandIn();
  });

  afterAll(async () => {
    await sts?.close();
    await emptySts?.close();
    if (server) {
      await server.stop();
      removeDir(server.dataDir);
    }
    removeDir(dir);
  });

  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('assumes the role, writes the profile beside untouched ones, and the SDK’s credential chain runs it for credentials', async () => {
    const env = freshEnv();
    const config = join(env.HOME, '.aws', 'config');
    mkdirSync(join(env.HOME, '.aws'));
    const others =
      '# my settings\n[default]\nregion = us-east-1\n\n[profile other]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = default\n';
    writeFileSync(
      config,
      `${others}\n[profile dev]\noutput = json\nrole_arn = arn:aws:iam::1:role/old\nweb_identity_token_file = /tmp/t\n`,
    );
    const modeBefore = statSync(config).mode & 0o777;
    const login = await runCli(
      [
        'idp',
        'login',
        'aws',
        '--role-arn',
        roleArn('dev'),
        '--profile',
        'dev',
        '--region',
        'eu-west-1',
        '--duration-seconds',
        '7200',
      ],
      env,
    );
    expect(login.stderr).toBe('');
    expect(login.code).toBe(0);
    expect(login.stdout).toContain(
      `Assumed arn:aws:sts::${account}:assumed-role/dev/envid-${environmentId}-`,
    );
    expect(login.stdout).toContain(`Wrote profile dev in ${config}`);
    expect(login.stdout).toContain('AWS_PROFILE=dev');
    const written = readFileSync(config, 'utf8');
    expect(written.startsWith(others)).toBe(true);
    const devSection = written.slice(written.indexOf('[profile dev]'));
    expect(devSection).toMatch(
      /^\[profile dev\]\noutput = json\ncredential_process = .+ idp aws-credentials --host \S+ --role-arn \S+ --duration-seconds 7200 --region eu-west-1\nregion = eu-west-1\n$/,
    );
    // The installed envid on PATH, never the script this login ran from.
    expect(devSection).toContain(
      `credential_process = ${process.execPath} ${join(installedBin, 'envid')} idp aws-credentials `,
    );
    expect(devSection).not.toContain(envidBin);
    expect(devSection).not.toContain('role_arn =');
    expect(devSection).not.toContain(environmentToken);
    expect(statSync(config).mode & 0o777).toBe(modeBefore);

    // The login's exchange went to STS with the defaults and a session name from the environment's ID.
    const exchange = sts.requests.at(-1)!;
    expect(exchange).toMatchObject({ RoleArn: roleArn('dev'), DurationSeconds: '7200' });
    expect(exchange['RoleSessionName']).toMatch(new RegExp(`^envid-${environmentId}-\\d+$`));
    expect(claimsOf(exchange['WebIdentityToken']!).aud).toBe('sts.amazonaws.com');

    // What the tools read: the SDK's own ini chain finds the profile and runs credential_process.
    vi.stubEnv('ENVID_TOKEN', environmentToken);
    vi.stubEnv('AWS_ENDPOINT_URL_STS', sts.url);
    const before = sts.requests.length;
    const credentials = await fromIni({
      profile: 'dev',
      configFilepath: config,
      filepath: join(env.HOME, '.aws', 'credentials'),
    })();
    expect(credentials.accessKeyId).toMatch(/^ASIA[0-9A-F]{16}$/);
    expect(credentials.secretAccessKey).toBeTruthy();
    expect(credentials.sessionToken).toBeTruthy();
    expect(credentials.expiration).toBeInstanceOf(Date);
    expect(sts.requests.length).toBe(before + 1);
  });

  it('writes the default profile by default; fromProcess reads the Version 1 JSON of idp aws-credentials', async () => {
    const env = freshEnv();
    const login = await runCli(['idp', 'login', 'aws', '--role-arn', roleArn('wildcard')], env);
    expect(login.code).toBe(0);
    expect(login.stdout).toContain('It is the default profile');
    const config = join(env.HOME, '.aws', 'config');
    expect(statSync(config).mode & 0o777).toBe(0o600);
    expect(readFileSync(config, 'utf8')).toMatch(
      /^\[default\]\ncredential_process = .* --duration-seconds 3600\n$/,
    );

    vi.stubEnv('ENVID_TOKEN', environmentToken);
    vi.stubEnv('AWS_ENDPOINT_URL_STS', sts.url);
    const credentials = await fromProcess({
      profile: 'default',
      configFilepath: config,
      filepath: join(env.HOME, 'none'),
    })();
    expect(credentials.accessKeyId).toMatch(/^ASIA/);

    const printed = await runCli(
      ['idp', 'aws-credentials', '--role-arn', roleArn('wildcard'), '--role-session-name', 'ci@acme'],
      env,
    );
    expect(printed.code).toBe(0);
    const json = JSON.parse(printed.stdout);
    expect(Object.keys(json)).toEqual([
      'Version',
      'AccessKeyId',
      'SecretAccessKey',
      'SessionToken',
      'Expiration',
    ]);
    expect(json.Version).toBe(1);
    expect(sts.requests.at(-1)!['RoleSessionName']).toBe('ci@acme');
  });

  it('names the session after the environment in a V2 organization too (its ID is only in gsub)', async () => {
    const v2 = await setUpEnvironmentThroughApi(server.url, server.adminToken, 'grace@v2.example');
    await connectCall(server.url, v2.pat, 'OrganizationService/UpdateOIDCConfig', {
      organizationId: v2.organizationId,
      oidcConfig: { v2: {} },
      confirmSubChange: true,
    });
    const env = { ...freshEnv(), ENVID_TOKEN: v2.environmentToken };
    const login = await runCli(['idp', 'login', 'aws', '--role-arn', roleArn('v2')], env);
    expect(login.stderr).toBe('');
    expect(login.code).toBe(0);
    const exchange = sts.requests.at(-1)!;
    expect(claimsOf(exchange['WebIdentityToken']!).sub).toMatch(/^org:.+\/env:/);
    expect(exchange['RoleSessionName']).toMatch(new RegExp(`^envid-${v2.environmentId}-\\d+$`));
    expect(login.stdout).toContain(`(session ${exchange['RoleSessionName']})`);

    const printed = await runCli(['idp', 'aws-credentials', '--role-arn', roleArn('v2')], env);
    expect(printed.code).toBe(0);
    expect(sts.requests.at(-1)!['RoleSessionName']).toMatch(new RegExp(`^envid-${v2.environmentId}-\\d+$`));
  });

  it.skipIf(awsCli === undefined)(
    titled(
      'the aws CLI reads the written profile through its credential_process',
      awsCli === undefined ? 'the aws CLI is not installed (aws --version)' : undefined,
    ),
    async () => {
      const env = freshEnv();
      expect(
        (await runCli(['idp', 'login', 'aws', '--role-arn', roleArn('dev'), '--profile', 'cli'], env)).code,
      ).toBe(0);
      // Asynchronously: the stand-in answers from this process.
      const { stdout: listed } = await promisify(execFile)(
        awsCli!,
        ['configure', 'list', '--profile', 'cli'],
        {
          env: { ...process.env, ...env, AWS_CONFIG_FILE: join(env.HOME, '.aws', 'config') },
        },
      );
      expect(listed).toMatch(/access_key\s+\*+[0-9A-F]{4}\s+custom-process/);
    },
  );

  it('the STS SDK client talks to the stand-in: success, and the SDK’s own exceptions for refused tokens', async () => {
    const token = (
      await runCli(['idp', 'token', '--audience', 'sts.amazonaws.com'], freshEnv())
    ).stdout.trim();
    const client = new STSClient({ region: 'us-east-1', endpoint: sts.url });
    const assume = (arn: string, webIdentityToken: string) =>
      client.send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: arn,
          RoleSessionName: 'sdk',
          WebIdentityToken: webIdentityToken,
        }),
      );
    const answer = await assume(roleArn('dev'), token);
    expect(answer.SubjectFromWebIdentityToken).toBe(sub);
    expect(answer.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${account}:assumed-role/dev/sdk`);
    expect(answer.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    const [header, payload, signature] = token.split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claimsOf(token), sub: 'someone' })).toString('base64url')}.${signature}`;
    const nameOf = (promise: Promise<unknown>) =>
      promise.then(
        () => 'ok',
        (error: Error) => error.name,
      );
    expect(await nameOf(assume(roleArn('dev'), forged))).toBe('InvalidIdentityTokenException');
    expect(await nameOf(assume(roleArn('someone-else'), token))).toBe('AccessDenied');
    expect(await nameOf(assume(roleArn('ExpiredTokenException'), token))).toBe('ExpiredTokenException');
    expect(await nameOf(assume(roleArn('IDPCommunicationError'), token))).toBe(
      'IDPCommunicationErrorException',
    );
    expect(await nameOf(assume(roleArn('IDPRejectedClaim'), token))).toBe('IDPRejectedClaimException');
    expect(payload).toBeTruthy();
  });

  it('explains every STS refusal with the token’s iss, sub and aud and the next step; writes nothing', async () => {
    const cases: [string, string[], string, number, string[]][] = [
      [
        'no OIDC provider',
        ['--role-arn', roleArn('dev')],
        emptySts.url,
        3,
        [
          'AWS STS refused the exchange: InvalidIdentityToken: account 123456789012 has no IAM OIDC identity provider',
          `iss ${server.url}  sub ${sub}  aud sts.amazonaws.com`,
          `expected: the IAM OIDC identity providers of account ${account} must hold: URL ${server.url}  client ID sts.amazonaws.com`,
          `aws iam create-open-id-connect-provider --url ${server.url} --client-id-list sts.amazonaws.com`,
          `noticed:  iss ${server.url} is not https; IAM OIDC providers need an https URL`,
        ],
      ],
      [
        'audience not registered',
        ['--role-arn', roleArn('dev'), '--audience', 'my-aud'],
        sts.url,
        3,
        [
          "InvalidIdentityToken: the token's audience is not in the client ID list",
          'aud my-aud',
          `expected: the client ID list of arn:aws:iam::${account}:oidc-provider/${server.url.replace('http://', '')} must hold: client ID my-aud`,
          `--client-id my-aud`,
        ],
      ],
      [
        'trust policy',
        ['--role-arn', roleArn('someone-else')],
        sts.url,
        3,
        [
          `AccessDenied: the trust policy of ${roleArn('someone-else')} does not allow this token`,
          `sub ${sub}`,
          // STS reveals no policy: the line says what a statement must hold, not what the policy holds.
          `expected: the trust policy of ${roleArn('someone-else')} must hold: Principal {"Federated": "arn:aws:iam::${account}:oidc-provider/`,
          `StringEquals ${server.url.replace('http://', '')}:sub = ${sub}`,
          'provider said: Not authorized to perform sts:AssumeRoleWithWebIdentity',
        ],
      ],
      [
        'above the role maximum',
        ['--role-arn', roleArn('dev'), '--duration-seconds', '43200'],
        sts.url,
        2,
        ['ValidationError', 'MaxSessionDuration', 'pass a lower --duration-seconds'],
      ],
      [
        'expired',
        ['--role-arn', roleArn('ExpiredTokenException')],
        sts.url,
        3,
        ['ExpiredTokenException: the token had expired', 'check the clock'],
      ],
      [
        'IdP unreachable',
        ['--role-arn', roleArn('IDPCommunicationError')],
        sts.url,
        3,
        ['IDPCommunicationError', `${server.url}/.well-known/openid-configuration`, 'then retry'],
      ],
      [
        'claim rejected',
        ['--role-arn', roleArn('IDPRejectedClaim')],
        sts.url,
        3,
        ['IDPRejectedClaim: the identity provider rejected a claim', '--decode'],
      ],
      [
        'malformed policy',
        ['--role-arn', roleArn('MalformedPolicyDocument')],
        sts.url,
        3,
        ['MalformedPolicyDocument', 'aws iam get-role --role-name MalformedPolicyDocument'],
      ],
      ['missing role', [], sts.url, 2, ['missing --role-arn (or the environment variable IDP_AWS_ROLE_ARN)']],
      ['bad role', ['--role-arn', 'dev'], sts.url, 2, ['invalid --role-arn "dev": must be a role ARN']],
      [
        'short duration',
        ['--role-arn', roleArn('dev'), '--duration-seconds', '899'],
        sts.url,
        2,
        ['invalid --duration-seconds "899": must be whole seconds from 900'],
      ],
      [
        'long duration',
        ['--role-arn', roleArn('dev'), '--duration-seconds', '43201'],
        sts.url,
        2,
        ['from 900 (15 min) to 43200 (12 h)'],
      ],
      [
        'session name',
        ['--role-arn', roleArn('dev'), '--role-session-name', 'a b'],
        sts.url,
        2,
        ['invalid --role-session-name "a b": must be 2 to 64 characters'],
      ],
      [
        'long session name',
        ['--role-arn', roleArn('dev'), '--role-session-name', 'x'.repeat(65)],
        sts.url,
        2,
        ['--role-session-name'],
      ],
      [
        'bad region',
        ['--role-arn', roleArn('dev'), '--region', 'Europe'],
        sts.url,
        2,
        ['invalid --region "Europe"'],
      ],
    ];
    // Independent (a HOME each): run a few at a time, checked in order.
    const runs = await mapConcurrently(cases, 4, async ([, args, stsUrl]) => {
      const env = freshEnv(stsUrl);
      return { env, result: await runCli(['idp', 'login', 'aws', ...args], env) };
    });
    for (const [index, [name, , , code, messages]] of cases.entries()) {
      const { env, result } = runs[index]!;
      expect({ name, code: result.code }).toEqual({ name, code });
      for (const message of messages)
        expect({ name, stderr: result.stderr }).toEqual({ name, stderr: expect.stringContaining(message) });
      expect(result.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/);
      expect(result.stdout).toBe('');
      expect(() => statSync(join(env.HOME, '.aws'))).toThrow(/ENOENT/);
    }
    // The role ARN may come from IDP_AWS_ROLE_ARN; a bad one is named as such.
    const fromEnv = await runCli(['idp', 'login', 'aws'], { ...freshEnv(), IDP_AWS_ROLE_ARN: 'nope' });
    expect(fromEnv.stderr).toContain('invalid IDP_AWS_ROLE_ARN "nope"');
    const viaEnv = await runCli(['idp', 'login', 'aws'], { ...freshEnv(), IDP_AWS_ROLE_ARN: roleArn('dev') });
    expect(viaEnv.code).toBe(0);
  });

  it('refuses without an installed envid on PATH (npx’s cache is none), before any exchange; writes nothing', async () => {
    const npxBin = join(dir, 'npm-cache', '_npx', '5f2b1c', 'node_modules', '.bin');
    mkdirSync(npxBin, { recursive: true });
    symlinkSync(envidBin, join(npxBin, 'envid'));
    const before = sts.requests.length;
    for (const viaNpx of [false, true]) {
      const env = { ...freshEnv(), PATH: viaNpx ? npxBin : join(dir, 'no-bin') };
      // As `npx envid` runs it: the cache's link to bin/envid.js.
      const result = await runCli(['idp', 'login', 'aws', '--role-arn', roleArn('dev')], env, {
        ...(viaNpx ? { script: join(npxBin, 'envid') } : {}),
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        '`envid idp login aws` writes a command that runs envid again later, but no installed envid is on PATH',
      );
      expect(result.stderr).toContain('`npm install -g envid`');
      if (viaNpx)
        expect(result.stderr).toContain(`runs from ${join(npxBin, 'envid')}, a cache that npm may delete`);
      expect(result.stdout).toBe('');
      expect(() => statSync(join(env.HOME, '.aws'))).toThrow(/ENOENT/);
    }
    expect(sts.requests.length).toBe(before);
  });

  it('says when STS cannot be reached (exit 5)', async () => {
    const port = await closedPort();
    const result = await runCli(
      ['idp', 'login', 'aws', '--role-arn', roleArn('dev')],
      freshEnv(`http://127.0.0.1:${port}`),
    );
    expect(result.code).toBe(5);
    expect(result.stderr).toContain(`cannot reach AWS STS at http://127.0.0.1:${port}: ECONNREFUSED`);
  });
});

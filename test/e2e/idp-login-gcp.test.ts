import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { exportJWK, importPKCS8 } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type GoogleStsStandIn, startGoogleStsStandIn } from '../stand-ins/google-sts.ts';
import { connectCall, setUpEnvironmentThroughApi } from '../support/api-setup.ts';
import { mapConcurrently } from '../support/concurrently.ts';
import { installEnvid } from '../support/envid-on-path.ts';
import { type EnvidProcess, removeDir, startEnvid } from '../support/envid-process.ts';
import { claimsOf } from '../support/jwt-parts.ts';
import { installedProgram, pathWith } from '../support/program-path.ts';
import { runCli } from '../support/run-cli.ts';
import { titled } from '../support/skip-reason.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

const project = '123456789012';
const pool = 'envid-pool';
const providerName = (id: string) =>
  `projects/${project}/locations/global/workloadIdentityPools/${pool}/providers/${id}`;
const serviceAccount = 'deploy@acme-dev.iam.gserviceaccount.com';

const adcScript = join(import.meta.dirname, '../support/google-adc-token.mjs');

/**
 * Runs google-auth-library in a process of its own, with only `env` (plus PATH); with `shell`, in a
 * shell that first reads ~/.bashrc, as a new terminal would.
 */
function googleClientToken(
  env: NodeJS.ProcessEnv,
  shell = false,
): Promise<{ ok: boolean; token?: string; message?: string }> {
  const [command, args] = shell
    ? ['/bin/sh', ['-c', `. "$HOME/.bashrc" && exec "${process.execPath}" "${adcScript}"`]]
    : [process.execPath, [adcScript]];
  return new Promise((resolve, reject) => {
    execFile(
      command as string,
      args as string[],
      {
        env: { PATH: process.env['PATH'], ...env },
        timeout: 60_000,
        cwd: join(import.meta.dirname, '../..'),
      },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${error.message}\n${stderr}`));
        else resolve(JSON.parse(stdout));
      },
    );
  });
}

function gcloud(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      gcloudPath!,
      args,
      { env: { PATH: process.env['PATH'], ...env }, timeout: 120_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/**
 * The real gcloud, when installed (a stand-in named gcloud that fails or prints something else does not
 * count); the login finds it on PATH, as users run it.
 */
const gcloudPath = installedProgram('gcloud', ['--version'], /^Google Cloud SDK \d/);

describe('envid idp login gcp against a Google STS stand-in', () => {
  let server: EnvidProcess;
  let google: GoogleStsStandIn;
  let environmentToken: string;
  let environmentId: string;
  let organizationId: string;
  let pat: string;
  const dir = mkdtempSync(join(tmpdir(), 'envid-gcp-e2e-'));
  let homes = 0;
  /** envid installed as `npm install -g` links it: the executable source names it. */
  const installedBin = installEnvid(dir);

  /** A fresh HOME per test, the installed envid on PATH; the environment's credential as the runner injects it. */
  const environment = () => {
    const HOME = join(dir, `home-${++homes}`);
    mkdirSync(HOME);
    return { HOME, PATH: pathWith(installedBin), ENVID_HOST: server.url, ENVID_TOKEN: environmentToken };
  };
  const login = (env: NodeJS.ProcessEnv, id: string, ...extra: string[]) =>
    runCli(
      [
        'idp',
        'login',
        'gcp',
        '--workload-identity-provider',
        providerName(id),
        '--sts-endpoint',
        google.tokenUrl,
        '--iam-credentials-endpoint',
        google.url,
        '--no-gcloud',
        ...extra,
      ],
      env,
    );
  const addProvider = (
    id: string,
    settings: Partial<Parameters<GoogleStsStandIn['providers']['set']>[1]> = {},
  ) => google.providers.set(providerName(id), { name: providerName(id), issuerUri: server.url, ...settings });

  beforeAll(async () => {
    server = await startEnvid();
    ({ environmentToken, environmentId, organizationId, pat } = await setUpEnvironmentThroughApi(
      server.url,
      server.adminToken,
    ));
    google = await startGoogleStsStandIn();
    google.serviceAccounts.set(serviceAccount, {
      email: serviceAccount,
      workloadIdentityUsers: [
        `principalSet://iam.googleapis.com/projects/${project}/locations/global/workloadIdentityPools/${pool}/*`,
      ],
    });
  });

  afterAll(async () => {
    await google?.close();
    if (server) {
      expect(await server.stop()).toBe(0);
      removeDir(server.dataDir);
    }
    removeDir(dir);
  });

  it('writes application default credentials that google-auth-library uses through `envid idp gcloud-token`', async () => {
    addProvider('envid-ok');
    const env = environment();
    const result = await login(env, 'envid-ok', '--project', 'acme-dev');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `Google Cloud: STS accepted the envid token for ${providerName('envid-ok')}`,
    );
    expect(result.stdout).toContain(
      'In this shell run: export GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1 GOOGLE_CLOUD_PROJECT=acme-dev CLOUDSDK_CORE_PROJECT=acme-dev',
    );

    // The login's own exchange: a fresh envid token for the provider's resource name.
    const exchange = google.requests.at(-1)!.form!;
    expect(exchange['audience']).toBe(`//iam.googleapis.com/${providerName('envid-ok')}`);
    const loginClaims = claimsOf(exchange['subject_token']!);
    expect(loginClaims.aud).toBe(`//iam.googleapis.com/${providerName('envid-ok')}`);
    expect(loginClaims.environment_id).toBe(environmentId);

    const adc = join(env.HOME, '.config', 'gcloud', 'application_default_credentials.json');
    expect(statSync(adc).mode & 0o777).toBe(0o600);
    const configuration = JSON.parse(readFileSync(adc, 'utf8'));
    expect(configuration).toMatchObject({
      type: 'external_account',
      audience: `//iam.googleapis.com/${providerName('envid-ok')}`,
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      token_url: google.tokenUrl,
      credential_source: { executable: { timeout_millis: 30_000 } },
    });
    expect(configuration.service_account_impersonation_url).toBeUndefined();
    expect(configuration.credential_source.executable.command).toBe(
      `${process.execPath} ${join(installedBin, 'envid')} idp gcloud-token`,
    );
    // No secret in the configuration.
    expect(JSON.stringify(configuration)).not.toContain(environmentToken);

    const envFile = join(env.HOME, '.config', 'envid', 'env.sh');
    expect(readFileSync(envFile, 'utf8')).toBe(
      "export GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES='1'\nexport GOOGLE_CLOUD_PROJECT='acme-dev'\nexport CLOUDSDK_CORE_PROJECT='acme-dev'\n",
    );
    expect(readFileSync(join(env.HOME, '.bashrc'), 'utf8')).toContain(`. '${envFile}'`);

    // Without the variable google-auth-library refuses to run the executable, as we tell the user.
    const refused = await googleClientToken({ ...env, GOOGLE_CLOUD_PROJECT: 'acme-dev' });
    expect(refused.ok).toBe(false);
    expect(refused.message).toContain('GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES');

    // In a new shell (which reads ~/.bashrc, so has the variables) and without the login's cached
    // answer, the library runs `envid idp gcloud-token`, which writes its answer to the output file,
    // and exchanges that token at the stand-in.
    const cache = configuration.credential_source.executable.output_file;
    rmSync(cache);
    const before = google.issued.length;
    const client = await googleClientToken(env, true);
    expect(client).toEqual({ ok: true, token: expect.any(String), client: 'PluggableAuthClient' });
    const issued = google.issued.slice(before);
    expect(issued.map((entry) => entry.accessToken)).toEqual([client.token]);
    expect(issued[0]!.principal).toBe(
      `principal://iam.googleapis.com/projects/${project}/locations/global/workloadIdentityPools/${pool}/subject/${loginClaims.sub}`,
    );
    const cached = JSON.parse(readFileSync(cache, 'utf8'));
    expect(cached).toMatchObject({
      version: 1,
      success: true,
      token_type: 'urn:ietf:params:oauth:token-type:jwt',
    });
    expect(statSync(cache).mode & 0o777).toBe(0o600);
    expect(claimsOf(cached.id_token).aud).toBe(`//iam.googleapis.com/${providerName('envid-ok')}`);
    expect(cached.expiration_time).toBeLessThanOrEqual(claimsOf(cached.id_token).exp);
  });

  it('--service-account: the login impersonates it, and so do the client libraries', async () => {
    addProvider('envid-sa');
    const env = environment();
    const result = await login(env, 'envid-sa', '--service-account', serviceAccount);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`tools now act as service account ${serviceAccount}`);
    expect(google.requests.at(-1)!.path).toBe(
      `/v1/projects/-/serviceAccounts/${encodeURIComponent(serviceAccount)}:generateAccessToken`,
    );
    const adc = JSON.parse(
      readFileSync(join(env.HOME, '.config', 'gcloud', 'application_default_credentials.json'), 'utf8'),
    );
    expect(adc.service_account_impersonation_url).toBe(
      `${google.url}/v1/projects/-/serviceAccounts/${encodeURIComponent(serviceAccount)}:generateAccessToken`,
    );
    const client = await googleClientToken({
      ...env,
      GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES: '1',
      GOOGLE_CLOUD_PROJECT: 'acme-dev',
    });
    expect(client).toEqual({ ok: true, token: expect.any(String), client: 'PluggableAuthClient' });
    expect(google.issued.find((entry) => entry.accessToken === client.token)?.serviceAccount).toBe(
      serviceAccount,
    );
  });

  it('--audience: the token carries one of the provider’s allowed audiences, also when the library asks', async () => {
    addProvider('envid-aud', { allowedAudiences: ['https://envid.acme.example/gcp'] });
    const env = { ...environment(), CLOUDSDK_CONFIG: join(dir, 'cloudsdk-aud') };
    const result = await login(env, 'envid-aud', '--audience', 'https://envid.acme.example/gcp');
    expect(result.code).toBe(0);
    // CLOUDSDK_CONFIG moves the application default credentials, for gcloud and the libraries alike.
    const adcPath = join(env.CLOUDSDK_CONFIG, 'application_default_credentials.json');
    const adc = JSON.parse(readFileSync(adcPath, 'utf8'));
    expect(adc.credential_source.executable.command).toMatch(
      / idp gcloud-token --audience https:\/\/envid\.acme\.example\/gcp$/,
    );
    rmSync(adc.credential_source.executable.output_file);
    const client = await googleClientToken({
      ...env,
      GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES: '1',
      GOOGLE_CLOUD_PROJECT: 'acme-dev',
    });
    expect(client).toEqual({ ok: true, token: expect.any(String), client: 'PluggableAuthClient' });
    expect(claimsOf(google.requests.at(-1)!.form!['subject_token']!).aud).toBe(
      'https://envid.acme.example/gcp',
    );
  });

  it.runIf(gcloudPath !== undefined)(
    titled(
      'logs gcloud in with the credential file; gcloud then gets access tokens from it',
      gcloudPath === undefined ? 'gcloud is not installed (gcloud --version)' : undefined,
    ),
    async () => {
      addProvider('envid-gcloud');
      // The gcloud checked above comes first, whatever else is on PATH.
      const env = {
        ...environment(),
        CLOUDSDK_CONFIG: join(dir, 'cloudsdk-gcloud'),
        PATH: pathWith(dirname(gcloudPath!), installedBin),
      };
      const result = await runCli(
        [
          'idp',
          'login',
          'gcp',
          '--workload-identity-provider',
          providerName('envid-gcloud'),
          '--sts-endpoint',
          google.tokenUrl,
        ],
        env,
      );
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(
        `gcloud: logged in with --cred-file (its configuration in ${env.CLOUDSDK_CONFIG})`,
      );
      const printed = await gcloud(['auth', 'print-access-token'], {
        ...env,
        GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES: '1',
      });
      expect(printed.stderr).not.toMatch(/ERROR/);
      expect(printed.code).toBe(0);
      // gcloud keeps the access token it got while logging in; it came from this provider's exchange.
      const issued = google.issued.find((entry) => entry.accessToken === printed.stdout.trim());
      expect(issued?.principal).toMatch(/\/workloadIdentityPools\/envid-pool\/subject\/organization_id:/);

      // Without its cached access token and the executable's cached answer, gcloud runs
      // `envid idp gcloud-token` itself (Python's google-auth reads the same executable response).
      rmSync(join(env.CLOUDSDK_CONFIG, 'access_tokens.db'), { force: true });
      const cache = JSON.parse(
        readFileSync(join(env.CLOUDSDK_CONFIG, 'application_default_credentials.json'), 'utf8'),
      ).credential_source.executable.output_file;
      rmSync(cache);
      const exchanges = google.requests.filter((request) => request.path === '/v1/token').length;
      const renewed = await gcloud(['auth', 'print-access-token'], {
        ...env,
        GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES: '1',
      });
      expect(renewed.stderr).not.toMatch(/ERROR/);
      expect(renewed.stdout.trim()).not.toBe(printed.stdout.trim());
      expect(google.requests.filter((request) => request.path === '/v1/token').length).toBe(exchanges + 1);
      expect(JSON.parse(readFileSync(cache, 'utf8'))).toMatchObject({ version: 1, success: true });
    },
  );

  /** Logs in against a provider set up to fail, and answers what the user sees. */
  async function failingLogin(id: string, ...extra: string[]) {
    const env = environment();
    const result = await login(env, id, ...extra);
    // Nothing is configured when the trust is broken.
    expect(existsSync(join(env.HOME, '.config', 'gcloud', 'application_default_credentials.json'))).toBe(
      false,
    );
    return result;
  }

  /** The token line every refusal carries: the token's actual iss, sub and aud. */
  const tokenLine = (aud: string) =>
    new RegExp(
      `token: +iss ${server.url} +sub organization_id:${organizationId}:\\S+ +aud ${aud.replace(/[/.]/g, '\\$&')}`,
    );

  // The refusals below each have a provider of their own and change nothing shared: they run together.
  // The two after them change what all share (the stand-in's clock, the organization's sub format).
  it.concurrent('invalid_target: the pool or provider does not exist or is disabled', async () => {
    addProvider('envid-disabled', { disabled: true });
    const ids = ['envid-missing', 'envid-disabled'];
    const results = await mapConcurrently(ids, 2, (id) => failingLogin(id));
    for (const [index, id] of ids.entries()) {
      const result = results[index]!;
      expect(result.code).toBe(3);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('Google Cloud STS refused the exchange: invalid_target:');
      expect(result.stderr).toContain(
        `(${id} in pool ${pool} of project ${project}) does not exist, was deleted, or is disabled`,
      );
      expect(result.stderr).toMatch(tokenLine(`//iam.googleapis.com/${providerName(id)}`));
      expect(result.stderr).toContain(
        `next:     check it exists and is enabled: gcloud iam workload-identity-pools providers describe ${id}`,
      );
    }
  });

  it.concurrent('invalid_grant (audience): the token’s aud is not an allowed audience', async () => {
    addProvider('envid-other-aud', { allowedAudiences: ['https://only.this.example'] });
    const result = await failingLogin('envid-other-aud');
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("invalid_grant: the token's aud is not one the provider accepts");
    expect(result.stderr).toContain('provider said: The audience in ID Token');
    expect(result.stderr).toMatch(tokenLine(`//iam.googleapis.com/${providerName('envid-other-aud')}`));
    expect(result.stderr).toContain('--allowed-audiences=');
  });

  it.concurrent('invalid_grant (issuer): the provider’s issuer URI is not envid’s issuer', async () => {
    addProvider('envid-other-iss', { issuerUri: `${server.url}/` });
    const result = await failingLogin('envid-other-iss');
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("invalid_grant: the token's iss is not the provider's issuer URI");
    expect(result.stderr).toContain(`does not match the expected issuer [${server.url}/]`);
    expect(result.stderr).toContain("set the provider's --issuer-uri to envid's issuer exactly");
  });

  it.concurrent('invalid_grant (signature): the provider holds keys that are not envid’s', async () => {
    const pem = readFileSync(join(import.meta.dirname, '../fixtures/signing-key-2.pem'), 'utf8');
    const jwk = await exportJWK(await importPKCS8(pem, 'RS256', { extractable: true }));
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = jwk;
    addProvider('envid-old-keys', {
      uploadedJwks: { keys: [{ ...publicJwk, kid: 'stale', alg: 'RS256', use: 'sig' }] },
    });
    const result = await failingLogin('envid-old-keys');
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(
      "invalid_grant: the token's signature could not be verified with the keys of envid's JWKS",
    );
    expect(result.stderr).toContain('--jwk-json-path');
  });

  it.concurrent('unauthorized_client: the attribute condition rejects the token', async () => {
    addProvider('envid-condition', {
      attributeCondition: (claims) => claims['project_id'] === 'some-other-project',
    });
    const result = await failingLogin('envid-condition');
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(
      "unauthorized_client: the token was rejected by the provider's attribute condition",
    );
    expect(result.stderr).toContain("--format='value(attributeCondition)'");
    expect(result.stderr).toContain('envid idp token --audience //iam.googleapis.com/');
  });

  it.concurrent('PERMISSION_DENIED: the federated identity may not impersonate the service account', async () => {
    addProvider('envid-no-sa');
    const result = await failingLogin(
      'envid-no-sa',
      '--service-account',
      'other@acme-dev.iam.gserviceaccount.com',
    );
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('Google Cloud IAM Credentials refused the exchange: PERMISSION_DENIED:');
    expect(result.stderr).toContain('lacks roles/iam.workloadIdentityUser');
    expect(result.stderr).toContain(
      'gcloud iam service-accounts add-iam-policy-binding other@acme-dev.iam.gserviceaccount.com',
    );
  });

  it('invalid_grant (time): a token Google finds expired or issued in the future', async () => {
    addProvider('envid-clock');
    for (const offset of [7200, -7200]) {
      google.clockOffsetSeconds = offset;
      try {
        const result = await failingLogin('envid-clock');
        expect(result.code).toBe(3);
        expect(result.stderr).toContain("invalid_grant: the token's time claims were refused");
        expect(result.stderr).toContain("check this machine's and envid's clocks");
      } finally {
        google.clockOffsetSeconds = 0;
      }
    }
  });

  it('invalid_grant (google.subject): a sub longer than 127 bytes, with what envid notices', async () => {
    addProvider('envid-long-sub');
    const update = (extraSubFields: string[]) =>
      connectCall(server.url, pat, 'OrganizationService/UpdateOIDCConfig', {
        organizationId,
        oidcConfig: { v3: { extraSubFields } },
        confirmSubChange: true,
      });
    await update(['environment_id', 'environment_initializers.git.remote_uri']);
    try {
      const result = await failingLogin('envid-long-sub');
      expect(result.code).toBe(3);
      expect(result.stderr).toContain(
        'invalid_grant: google.subject, mapped from the token, is longer than 127 bytes',
      );
      expect(result.stderr).toMatch(/envid notices: its sub is \d+ bytes, more than google.subject's 127/);
    } finally {
      await update([]);
    }
  });

  it('missing or malformed values name the flag and its variable; an unreachable STS exits 5', async () => {
    const env = environment();
    // Three refusals of the same HOME, none writing anything: run together.
    const [missing, badAccount, fromEnv] = await Promise.all([
      runCli(['idp', 'login', 'gcp'], env),
      login(env, 'envid-ok', '--service-account', 'deploy'),
      runCli(['idp', 'login', 'gcp', '--no-gcloud'], {
        ...env,
        IDP_GCP_WORKLOAD_IDENTITY_PROVIDER: providerName('envid-ok'),
        ENVID_GCP_STS_URL: 'http://127.0.0.1:9/v1/token',
      }),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      'missing --workload-identity-provider (or the environment variable IDP_GCP_WORKLOAD_IDENTITY_PROVIDER)',
    );
    expect(badAccount.code).toBe(2);
    expect(badAccount.stderr).toContain('invalid --service-account: expected a service account e-mail');
    expect(fromEnv.code).toBe(5);
    expect(fromEnv.stderr).toContain('cannot reach Google Cloud at http://127.0.0.1:9/v1/token');
  });

  it('refuses without an installed envid on PATH, before any exchange; writes nothing', async () => {
    addProvider('envid-uninstalled');
    const env = { ...environment(), PATH: join(dir, 'no-bin') };
    const before = google.requests.length;
    const result = await login(env, 'envid-uninstalled');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      '`envid idp login gcp` writes a command that runs envid again later, but no installed envid is on PATH',
    );
    expect(result.stdout).toBe('');
    expect(google.requests.length).toBe(before);
    expect(existsSync(join(env.HOME, '.config'))).toBe(false);
  });

  it('gcloud-token answers Google’s failure response when envid refuses the credential', async () => {
    const env = {
      ...environment(),
      ENVID_TOKEN: 'envid_env_revoked',
      GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE: 'aud',
    };
    const result = await runCli(['idp', 'gcloud-token'], env);
    expect(result.code).toBe(3);
    expect(result.stderr).toBe('');
    const response = JSON.parse(result.stdout);
    expect(response).toMatchObject({ version: 1, success: false, code: 'unauthenticated' });
    expect(response.message).toContain(`${server.url} refused the credential from ENVID_TOKEN`);

    const noAudience = await runCli(['idp', 'gcloud-token'], { ...environment() });
    expect(noAudience.code).toBe(2);
    expect(JSON.parse(noAudience.stdout)).toMatchObject({ success: false, code: 'invalid_request' });

    const saml = await runCli(['idp', 'gcloud-token', '--audience', 'aud'], {
      ...environment(),
      GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE: 'urn:ietf:params:oauth:token-type:saml2',
    });
    expect(saml.code).toBe(2);
    expect(JSON.parse(saml.stdout).message).toContain('is not a JWT type; envid gives OIDC JWTs');
  });

  it('with --host/--token flags, the executable gets the host but never the credential; no gcloud on PATH', async () => {
    addProvider('envid-flags');
    const { HOME } = environment();
    const result = await runCli(
      [
        'idp',
        'login',
        'gcp',
        '--workload-identity-provider',
        providerName('envid-flags'),
        '--sts-endpoint',
        google.tokenUrl,
        '--host',
        server.url,
        '--token',
        environmentToken,
      ],
      // A PATH with envid and without gcloud (the CLI itself runs by node's absolute path).
      { HOME, PATH: installedBin },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'gcloud: not installed; the application default credentials serve the SDKs.',
    );
    expect(result.stdout).toContain(
      `Note: \`envid idp gcloud-token\` does not get the --token given here; it needs ENVID_TOKEN or a saved \`envid login\` (host ${server.url}).`,
    );
    const text = readFileSync(
      join(HOME, '.config', 'gcloud', 'application_default_credentials.json'),
      'utf8',
    );
    expect(JSON.parse(text).credential_source.executable.command).toMatch(
      new RegExp(` idp gcloud-token --host ${server.url.replace(/[.:/]/g, '\\$&')}$`),
    );
    expect(text).not.toContain(environmentToken);
  });
});

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
import { join } from 'node:path';
import { exportJWK, importPKCS8 } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type StandInVaultRole, startVaultStandIn, type VaultStandIn } from '../stand-ins/vault-jwt.ts';
import { setUpEnvironmentThroughApi } from '../support/api-setup.ts';
import { type EnvidProcess, removeDir, startEnvid } from '../support/envid-process.ts';
import { runCli } from '../support/run-cli.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

describe('envid idp login vault against a Vault JWT auth stand-in', () => {
  let server: EnvidProcess;
  let vault: VaultStandIn;
  let environmentToken: string;
  let environmentId: string;
  let organizationId: string;
  let projectId: string;
  let sub: string;
  const dir = mkdtempSync(join(tmpdir(), 'envid-vault-e2e-'));
  let homes = 0;

  const environment = () => {
    const HOME = join(dir, `home-${++homes}`);
    mkdirSync(HOME);
    return { HOME, ENVID_HOST: server.url, ENVID_TOKEN: environmentToken, VAULT_ADDR: vault.url };
  };
  const login = (env: NodeJS.ProcessEnv, ...args: string[]) =>
    runCli(['idp', 'login', 'vault', ...args], env);
  /** A role on the `jwt` mount (discovery-configured, like `vault write auth/jwt/config oidc_discovery_url=…`). */
  const addRole = (name: string, role: Partial<StandInVaultRole> = {}) => {
    vault.mounts.get('jwt')!.roles[name] = {
      user_claim: 'environment_id',
      bound_audiences: ['vault.hashicorp.com'],
      bound_claims: { organization_id: organizationId },
      policies: ['dev-read'],
      token_ttl: 3600,
      ...role,
    };
  };

  beforeAll(async () => {
    server = await startEnvid();
    ({ environmentToken, environmentId, organizationId, projectId } = await setUpEnvironmentThroughApi(
      server.url,
      server.adminToken,
    ));
    sub = `organization_id:${organizationId}:project_id:${projectId}`;
    vault = await startVaultStandIn();
    vault.mounts.set('jwt', { oidcDiscoveryUrl: server.url, roles: {} });
  });

  afterAll(async () => {
    await vault?.close();
    if (server) {
      expect(await server.stop()).toBe(0);
      removeDir(server.dataDir);
    }
    removeDir(dir);
  });

  it('logs in and writes the Vault token to ~/.vault-token (0600), where the vault CLI reads it', async () => {
    addRole('dev');
    const env = environment();
    const result = await login(env, '--role', 'dev');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `Vault: logged in at ${vault.url} (auth/jwt, role dev); policies default, dev-read; the token lives 1 h, renewable with \`vault token renew\`.\n` +
        `The vault CLI reads it from ${join(env.HOME, '.vault-token')}.\n`,
    );
    const file = join(env.HOME, '.vault-token');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const token = readFileSync(file, 'utf8');
    // What `vault token lookup` does with the file: the token is this environment's.
    const lookup = await fetch(`${vault.url}/v1/auth/token/lookup-self`, {
      headers: { 'x-vault-token': token },
    });
    expect(lookup.status).toBe(200);
    expect(((await lookup.json()) as any).data).toEqual({
      display_name: `jwt-${environmentId}`,
      policies: ['default', 'dev-read'],
      meta: { role: 'dev' },
    });
  });

  it('exact bound_subject, glob bound_claims, another mount and audience, all from the environment', async () => {
    addRole('exact', { bound_subject: sub, bound_claims: {} });
    const env = environment();
    expect((await login(env, '--role', 'exact')).code).toBe(0);

    vault.mounts.set('envid/jwt', {
      oidcDiscoveryUrl: server.url,
      roles: {
        glob: {
          user_claim: 'sub',
          bound_audiences: ['https://vault.acme.example'],
          bound_claims_type: 'glob',
          bound_claims: {
            sub: `organization_id:${organizationId}:project_id:*`,
            '/environment_initializers/0/git/remote_uri': 'https://github.com/acme/*',
          },
        },
      },
    });
    const other = await login(
      { ...env, IDP_VAULT_ROLE: 'GLOB', VAULT_NAMESPACE: 'team-a' },
      '--mount',
      '/envid/jwt/',
      '--audience',
      'https://vault.acme.example',
    );
    expect(other.stderr).toBe('');
    expect(other.code).toBe(0);
    expect(other.stdout).toContain('(auth/envid/jwt, role GLOB)');
    expect(vault.logins.at(-1)).toEqual({ mount: 'envid/jwt', namespace: 'team-a' });
    expect(vault.issued.at(-1)).toMatchObject({ role: 'glob', alias: sub });
    expect(readFileSync(join(env.HOME, '.vault-token'), 'utf8')).toBe(vault.issued.at(-1)!.clientToken);
  });

  it('stores the token through the vault CLI’s configured token helper instead of the file', async () => {
    addRole('helper');
    const env = environment();
    const stored = join(env.HOME, 'helper-store');
    const helper = join(env.HOME, 'token-helper.sh');
    writeFileSync(helper, `#!/bin/sh\n[ "$1" = store ] && cat > '${stored}'\n`);
    chmodSync(helper, 0o755);
    writeFileSync(join(env.HOME, 'vault.hcl'), `# the vault CLI's config\ntoken_helper = "${helper}"\n`);
    const result = await login(
      { ...env, VAULT_CONFIG_PATH: join(env.HOME, 'vault.hcl'), VAULT_TOKEN: 'x' },
      '--role',
      'helper',
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`The vault CLI reads it from the token helper ${helper}.`);
    expect(result.stdout).toContain(
      'Note: VAULT_TOKEN is set in this environment and wins over the stored token',
    );
    expect(readFileSync(stored, 'utf8')).toBe(vault.issued.at(-1)!.clientToken);
    expect(existsSync(join(env.HOME, '.vault-token'))).toBe(false);
  });

  /** Logs in with `role` and answers what the user sees; nothing may be written. */
  async function failingLogin(role: string, ...extra: string[]) {
    const env = environment();
    const result = await login(env, '--role', role, ...extra);
    expect(result.stdout).toBe('');
    expect(existsSync(join(env.HOME, '.vault-token'))).toBe(false);
    return result;
  }
  const tokenLine = (aud = 'vault.hashicorp.com') => `token:    iss ${server.url}  sub ${sub}  aud ${aud}`;

  it('role "x" could not be found', async () => {
    const result = await failingLogin('nope');
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(
      `Vault (${vault.url}, auth/jwt) refused the exchange: HTTP 400: there is no role "nope" on the JWT auth method at auth/jwt`,
    );
    expect(result.stderr).toContain('provider said: role "nope" could not be found');
    expect(result.stderr).toContain(tokenLine());
    expect(result.stderr).toContain('next:     list the roles (vault list auth/jwt/role)');
  });

  it('no JWT auth method at the mount (permission denied)', async () => {
    const result = await failingLogin('dev', '--mount', 'oidc');
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('HTTP 403: no JWT auth method is mounted at auth/oidc');
    expect(result.stderr).toContain('provider said: permission denied');
    expect(result.stderr).toContain('vault auth enable -path=oidc jwt');
  });

  it('audience: not bound, or no audiences bound to the role', async () => {
    addRole('other-aud', { bound_audiences: ['https://vault.acme.example'] });
    const wrong = await failingLogin('other-aud');
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toContain("HTTP 400: the token's aud is not one of the role's bound_audiences");
    expect(wrong.stderr).toContain(
      'provider said: error validating claims: audience claim does not match any expected audience',
    );
    expect(wrong.stderr).toContain(tokenLine());
    expect(wrong.stderr).toContain(
      "expected: aud the role's bound_audiences (vault read auth/jwt/role/other-aud)",
    );

    addRole('no-aud', { bound_audiences: [] });
    const none = await failingLogin('no-aud');
    expect(none.code).toBe(3);
    expect(none.stderr).toContain('the token has an aud claim but the role binds no audiences');
    expect(none.stderr).toContain('vault write auth/jwt/role/no-aud bound_audiences=vault.hashicorp.com');
  });

  it('bound_subject and bound_claims mismatches, and a missing claim', async () => {
    addRole('other-sub', { bound_subject: `organization_id:${organizationId}` });
    const subject = await failingLogin('other-sub');
    expect(subject.stderr).toContain("the token's sub is not the role's bound_subject (an exact match)");
    expect(subject.stderr).toContain(tokenLine());

    addRole('other-project', { bound_claims: { project_id: 'another-project' } });
    const claim = await failingLogin('other-project');
    expect(claim.stderr).toContain(
      "the token's project_id claim matches none of the role's bound_claims values for it",
    );
    expect(claim.stderr).toContain(
      'provider said: error validating claims: claim "project_id" does not match any associated bound claim values',
    );

    addRole('email', { user_claim: 'email' });
    const missing = await failingLogin('email');
    expect(missing.stderr).toContain(
      "the token has no email claim, which the role's bound_claims or user_claim require",
    );
    expect(missing.stderr).toContain('envid idp token --audience vault.hashicorp.com --decode');
  });

  it('issuer: bound_issuer (jwks_url configuration) is not envid’s issuer', async () => {
    vault.mounts.set('jwks', {
      jwksUrl: `${server.url}/.well-known/jwks.json`,
      boundIssuer: 'https://envid.other.example',
      roles: { dev: { user_claim: 'sub', bound_audiences: ['vault.hashicorp.com'] } },
    });
    const result = await failingLogin('dev', '--mount', 'jwks');
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("the token's iss is not the issuer the auth method trusts");
    expect(result.stderr).toContain(
      'provider said: error validating claims: validation failed, invalid issuer claim (iss)',
    );
    expect(result.stderr).toContain(
      "set oidc_discovery_url (and bound_issuer, if used) to envid's issuer exactly",
    );
  });

  it('signature: static jwt_validation_pubkeys that are not envid’s keys', async () => {
    const pem = readFileSync(join(import.meta.dirname, '../fixtures/signing-key-2.pem'), 'utf8');
    const {
      d: _d,
      p: _p,
      q: _q,
      dp: _dp,
      dq: _dq,
      qi: _qi,
      ...publicJwk
    } = await exportJWK(await importPKCS8(pem, 'RS256', { extractable: true }));
    vault.mounts.set('static', {
      jwtValidationPubkeys: { keys: [{ ...publicJwk, alg: 'RS256' }] },
      roles: { dev: { user_claim: 'sub', bound_audiences: ['vault.hashicorp.com'] } },
    });
    const result = await failingLogin('dev', '--mount', 'static');
    expect(result.stderr).toContain(
      "the token's signature could not be verified with the keys Vault has for the issuer",
    );
    expect(result.stderr).toContain('provider said: no known key successfully validated the token signature');
  });

  it('time: a token Vault finds expired or not yet valid', async () => {
    addRole('clock');
    for (const offset of [7200, -7200]) {
      vault.clockOffsetSeconds = offset;
      try {
        const result = await failingLogin('clock');
        expect(result.code).toBe(3);
        expect(result.stderr).toContain("the token's time claims were refused");
        expect(result.stderr).toMatch(
          /provider said: error validating signature: oidc: (token is expired|current time \d+ before the nbf)/,
        );
      } finally {
        vault.clockOffsetSeconds = 0;
      }
    }
  });

  it('an OIDC role, a sealed Vault, an unreachable one', async () => {
    addRole('browser', { role_type: 'oidc' });
    const oidc = await failingLogin('browser');
    expect(oidc.stderr).toContain('role browser is an OIDC (browser) role; a JWT login needs role_type=jwt');

    vault.sealed = true;
    try {
      const sealed = await failingLogin('dev');
      expect(sealed.code).toBe(1);
      expect(sealed.stderr).toContain('HTTP 503: Vault is sealed or in standby');
    } finally {
      vault.sealed = false;
    }

    const env = environment();
    const unreachable = await login({ ...env, VAULT_ADDR: 'http://127.0.0.1:9' }, '--role', 'dev');
    expect(unreachable.code).toBe(5);
    expect(unreachable.stderr).toContain('cannot reach Vault at http://127.0.0.1:9/v1/auth/jwt/login');
  });

  it('missing or malformed values name the flag and its variable', async () => {
    const { VAULT_ADDR: _, ...withoutAddress } = environment();
    const noRole = await login(withoutAddress);
    expect(noRole.code).toBe(2);
    expect(noRole.stderr).toContain('missing --role (or the environment variable IDP_VAULT_ROLE)');
    const noAddress = await login(withoutAddress, '--role', 'dev');
    expect(noAddress.code).toBe(2);
    expect(noAddress.stderr).toContain('missing --address (or the environment variable VAULT_ADDR)');
    const badMount = await login(
      { ...withoutAddress, VAULT_ADDR: vault.url },
      '--role',
      'dev',
      '--mount',
      '../sys',
    );
    expect(badMount.code).toBe(2);
    expect(badMount.stderr).toContain('invalid --mount: expected a mount path such as jwt or team-a/jwt');
  });
});

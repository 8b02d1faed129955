import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../support/databases.ts';
import { runCli } from '../support/run-cli.ts';
import { type SsoCliFixture, startSsoCliFixture } from '../support/sso-cli-fixture.ts';

/**
 * `envid login --sso` run as a child process against envid on 127.0.0.1 whose organization signs in
 * through oidc-provider; $BROWSER is a small script that follows the redirects over real HTTP and
 * signs in on the provider's pages, ending at the CLI's loopback listener.
 */
describe.each(engines)('envid login --sso (loopback) on %s', (engine) => {
  let f: SsoCliFixture;
  let home = '';
  const browser = `${process.execPath} ${join(import.meta.dirname, '../support/sso-browser.mjs')}`;

  beforeAll(async () => {
    f = await startSsoCliFixture(engine);
    home = mkdtempSync(join(tmpdir(), 'envid-sso-login-'));
  });
  afterAll(async () => {
    await f?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  const login = (args: string[], account: string, configHome: string) =>
    runCli(['login', '--host', f.base, '--sso', ...args], {
      BROWSER: browser,
      SSO_TEST_ACCOUNT: account,
      XDG_CONFIG_HOME: configHome,
      HOME: home,
    });

  it('signs alice in through the browser and saves an organization token as login --token does', async () => {
    const configHome = join(home, 'alice');
    const result = await login(['--sso-configuration', f.configId], 'alice', configHome);
    expect(result.stderr).toContain(`${f.base}/sso/start?ssoConfigurationId=${f.configId}`);
    expect(result.code, result.stderr).toBe(0);
    const path = join(configHome, 'envid', 'credentials.json');
    expect(result.stdout).toContain(`Logged in to ${f.base} as`);
    expect(result.stdout).toContain(`Saved to ${path} (mode 0600).`);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(readFileSync(path, 'utf8'));
    expect(saved).toEqual({ host: f.base, token: expect.stringMatching(/^envid_pat_/) });
    const me = await f.server.call('IdentityService/GetAuthenticatedIdentity', {}, saved.token);
    expect(me.body.organizationId).toBe(f.org.organization.id);
    const user = await f.server.store.userIdentities.findOne({ subject: 'alice' });
    expect(me.body.subject.id).toBe(user?.userId);
  });

  it('picks the organization’s one active configuration with --org, ignoring a forged loopback call', async () => {
    const configHome = join(home, 'alice-org');
    const log = join(home, 'browser.log');
    const result = await runCli(['login', '--host', f.base, '--sso', '--org', f.org.organization.id], {
      BROWSER: browser,
      SSO_TEST_ACCOUNT: 'alice',
      SSO_TEST_FORGE_FIRST: '1',
      SSO_TEST_BROWSER_LOG: log,
      XDG_CONFIG_HOME: configHome,
      HOME: home,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Logged in to');
    expect(readFileSync(log, 'utf8')).toContain('forged: 400');
  });

  it('ends with the reason when the CEL rule refuses, saving nothing', async () => {
    const configHome = join(home, 'mallory');
    const before = await f.counts();
    const result = await login(['--sso-configuration', f.configId], 'mallory', configHome);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('sign-in refused: access_denied:');
    expect(result.stderr).toContain('"envid-users" in claims.groups');
    expect(() => statSync(join(configHome, 'envid', 'credentials.json'))).toThrow();
    expect(await f.counts()).toEqual(before);
  });

  it('names the choices when --org has none or several active configurations', async () => {
    const none = await login(['--org', '0190a1b2-0000-7000-8000-000000000000'], 'alice', join(home, 'x'));
    expect(none.code).toBe(4);
    expect(none.stderr).toContain(
      'organization 0190a1b2-0000-7000-8000-000000000000 has no active SSO configuration (or does not exist): ask its admin, or pass --sso-configuration ID',
    );
    const other = await f.server.store.ssoConfigurations.get(f.configId);
    const second = { ...other, id: '0190a1b2-0000-7000-8000-0000000000aa', clientId: 'other' };
    await f.server.store.ssoConfigurations.insert(second);
    try {
      const several = await login(['--org', f.org.organization.id], 'alice', join(home, 'y'));
      expect(several.code).toBe(2);
      expect(several.stderr).toContain(`has 2 active SSO configurations (`);
      expect(several.stderr).toContain(f.configId);
      expect(several.stderr).toContain(second.id);
      expect(several.stderr).toContain('pick one with --sso-configuration ID');
    } finally {
      await f.server.store.ssoConfigurations.delete(second.id);
    }
  });

  it('refuses flag combinations that do not make sense, naming the flags', async () => {
    const both = await login(
      ['--org', f.org.organization.id, '--sso-configuration', f.configId],
      'alice',
      home,
    );
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--sso needs exactly one of --sso-configuration ID');
    const stray = await runCli(['login', '--host', f.base, '--no-browser'], { HOME: home });
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain('--no-browser only go with --sso');
    const token = await login(['--org', f.org.organization.id, '--token', 'x'], 'alice', home);
    expect(token.stderr).toContain('--token and --sso do not go together');
    const notUuid = await login(['--sso-configuration', 'acme'], 'alice', home);
    expect(notUuid.stderr).toContain('--sso-configuration: must be a UUID, not "acme"');
  });
});

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.ts';
import { HandBrowser } from '../support/browser-by-hand.ts';
import { engines } from '../support/databases.ts';
import { envidBin } from '../support/envid-process.ts';
import { type SsoCliFixture, startSsoCliFixture } from '../support/sso-cli-fixture.ts';
import { testRunEnv } from '../support/test-run.ts';
import { upstreamSignIn } from '../support/upstream-sign-in.ts';
import { waitFor } from '../support/wait-for.ts';

/**
 * `envid login --sso --no-browser` as a child process; this test is the second device: it opens the
 * address the CLI prints, types the code and signs in on oidc-provider's pages over real HTTP, while
 * the CLI polls. envid runs on the real clock here, as the CLI's polls are real seconds apart.
 */
describe.each(engines)('envid login --sso --no-browser on %s', (engine) => {
  let f: SsoCliFixture;
  let home = '';

  beforeAll(async () => {
    f = await startSsoCliFixture(engine, { clock: systemClock });
    home = mkdtempSync(join(tmpdir(), 'envid-sso-device-'));
  });
  afterAll(async () => {
    await f?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  /** Starts the CLI; answers it, its output so far, and its exit. */
  function startLogin(configHome: string) {
    const child: ChildProcess = spawn(
      process.execPath,
      [envidBin, 'login', '--host', f.base, '--sso', '--org', f.org.organization.id, '--no-browser'],
      {
        env: { PATH: process.env['PATH'], ...testRunEnv(), HOME: home, XDG_CONFIG_HOME: configHome },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const output = { stdout: '', stderr: '' };
    child.stdout!.on('data', (chunk) => (output.stdout += chunk));
    child.stderr!.on('data', (chunk) => (output.stderr += chunk));
    const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
    return { child, output, exited };
  }

  /** The second device: the printed address, the printed code, the upstream sign-in. */
  async function completeOnSecondDevice(stderr: string, account: string) {
    const match = /open (\S+) on any device and enter the code ([A-Z]{4}-[A-Z]{4})/.exec(stderr)!;
    const [, address, userCode] = match as unknown as [string, string, string];
    expect(address).toBe(`${f.base}/sso/device`);
    const browser = new HandBrowser();
    const html = await (await browser.request(address)).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)![1]!;
    const { callback } = await upstreamSignIn(browser, `${f.base}/sso/device/verify`, account, {
      method: 'POST',
      form: { csrf, user_code: userCode },
    });
    const done = await browser.request(callback!.href);
    return { status: done.status, text: await done.text() };
  }

  it('prints an address and a code; completed on a second device, it saves the organization token', async () => {
    const configHome = join(home, 'alice');
    const login = startLogin(configHome);
    try {
      await waitFor('the code', () => /enter the code [A-Z]{4}-[A-Z]{4}/.test(login.output.stderr));
      const page = await completeOnSecondDevice(login.output.stderr, 'alice');
      expect(page.status).toBe(200);
      expect(await login.exited, login.output.stderr).toBe(0);
    } finally {
      login.child.kill();
    }
    expect(login.output.stdout).toContain(`Logged in to ${f.base} as`);
    const saved = JSON.parse(readFileSync(join(configHome, 'envid', 'credentials.json'), 'utf8'));
    expect(saved).toEqual({ host: f.base, token: expect.stringMatching(/^envid_pat_/) });
    const me = await f.server.call('IdentityService/GetAuthenticatedIdentity', {}, saved.token);
    expect(me.body.organizationId).toBe(f.org.organization.id);
  });

  it('ends with the reason when the sign-in on the second device is refused, saving nothing', async () => {
    const configHome = join(home, 'mallory');
    const before = await f.counts();
    const login = startLogin(configHome);
    try {
      await waitFor('the code', () => /enter the code [A-Z]{4}-[A-Z]{4}/.test(login.output.stderr));
      const page = await completeOnSecondDevice(login.output.stderr, 'mallory');
      expect(page.status).toBe(403);
      expect(await login.exited).toBe(3);
    } finally {
      login.child.kill();
    }
    expect(login.output.stderr).toContain('sign-in refused: access_denied: the sign-in was refused:');
    expect(login.output.stderr).toContain('"envid-users" in claims.groups');
    expect(() => readFileSync(join(configHome, 'envid', 'credentials.json'))).toThrow();
    expect(await f.counts()).toEqual(before);
  });
});

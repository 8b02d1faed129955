import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HandBrowser } from '../../support/browser-by-hand.ts';
import { engines } from '../../support/databases.ts';
import { type SsoCliFixture, startSsoCliFixture } from '../../support/sso-cli-fixture.ts';
import { upstreamSignIn } from '../../support/upstream-sign-in.ts';

/**
 * `envid login --sso --no-browser`'s device authorization (RFC 8628) over real HTTP: POST /sso/device,
 * the code typed into envid's page on a second device (done by hand), the sign-in through
 * oidc-provider, and the polls of POST /sso/cli/token.
 */
describe.each(engines)('SSO device authorization on %s', (engine) => {
  let f: SsoCliFixture;
  const deviceGrant = 'urn:ietf:params:oauth:grant-type:device_code';

  beforeAll(async () => {
    f = await startSsoCliFixture(engine);
  });
  afterAll(async () => {
    await f?.close();
  });
  beforeEach(() => f.server.clock.advance(10_000));

  const post = async (path: string, form: Record<string, string>, headers: Record<string, string> = {}) => {
    const response = await fetch(`${f.base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form).toString(),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      text,
      body: text.startsWith('{') ? JSON.parse(text) : undefined,
    };
  };
  const startDevice = async () => {
    const answer = await post('/sso/device', { ssoConfigurationId: f.configId });
    expect(answer.status, answer.text).toBe(200);
    return answer.body as Record<string, any>;
  };
  const poll = (deviceCode: string) =>
    post('/sso/cli/token', { grant_type: deviceGrant, device_code: deviceCode });

  /** The second device: opens the page, types the code, signs in upstream; answers the last page. */
  const secondDevice = async (userCode: string, account: string) => {
    const browser = new HandBrowser();
    const page = await browser.request(`${f.base}/sso/device?user_code=${userCode}`);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain(`value="${userCode}"`);
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)![1]!;
    const { callback } = await upstreamSignIn(browser, `${f.base}/sso/device/verify`, account, {
      method: 'POST',
      form: { csrf, user_code: userCode.toLowerCase() },
    });
    expect(callback?.origin).toBe(f.base);
    const done = await browser.request(callback!.href);
    return { status: done.status, text: await done.text() };
  };

  it('answers a device code and a user code; polls wait, then get the token once', async () => {
    const started = await startDevice();
    expect(started).toEqual({
      device_code: expect.stringMatching(/^envid_sso_device_/),
      user_code: expect.stringMatching(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/),
      verification_uri: `${f.base}/sso/device`,
      verification_uri_complete: `${f.base}/sso/device?user_code=${started.user_code}`,
      expires_in: 600,
      interval: 5,
    });
    expect((await poll(started.device_code)).body).toEqual({
      error: 'authorization_pending',
      error_description: 'the sign-in on the second device is not done yet',
    });
    expect((await poll(started.device_code)).body).toEqual({
      error: 'slow_down',
      error_description: 'poll at most every 5 seconds',
    });
    f.server.clock.advance(5000);
    expect((await poll(started.device_code)).body.error).toBe('authorization_pending');

    const page = await secondDevice(started.user_code, 'alice');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Go back to your terminal');
    const answer = await poll(started.device_code);
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body).toMatchObject({
      token_type: 'Bearer',
      organization_id: f.org.organization.id,
      access_token: expect.stringMatching(/^envid_pat_/),
    });
    const me = await f.server.call('IdentityService/GetAuthenticatedIdentity', {}, answer.body.access_token);
    expect(me.body.organizationId).toBe(f.org.organization.id);
    const events = await f.server.store.auditEvents.list({ kind: 'sso.cli_signed_in' }, { pageSize: 100 });
    expect(events.items.at(-1)?.details).toMatchObject({ flow: 'device', ssoConfigurationId: f.configId });

    const before = await f.counts();
    expect((await poll(started.device_code)).body).toEqual({
      error: 'invalid_grant',
      error_description: 'the device code is unknown',
    });
    expect(await f.counts()).toEqual(before);
  });

  it('answers access_denied with the reason when the CEL rule refuses, creating nothing', async () => {
    const started = await startDevice();
    const before = await f.counts();
    const refusals = () => f.server.store.auditEvents.count({ kind: 'sso.sign_in_refused' });
    const refusalsBefore = await refusals();
    const page = await secondDevice(started.user_code, 'mallory');
    expect(page.status).toBe(403);
    expect(page.text).toContain('Sign-in refused:');
    const answer = await poll(started.device_code);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe('access_denied');
    expect(answer.body.error_description).toContain('the sign-in was refused:');
    expect(answer.body.error_description).toContain('"envid-users" in claims.groups');
    expect(await f.counts()).toEqual(before);
    // Recorded once, when the rule refused, not again at the poll.
    expect(await refusals()).toBe(refusalsBefore + 1);
    expect(await f.lastRefusal()).toMatchObject({ subject: 'mallory', ssoConfigurationId: f.configId });
  });

  it('answers expired_token after 10 minutes, and the page no longer takes the code', async () => {
    const started = await startDevice();
    f.server.clock.advance(10 * 60 * 1000);
    const before = await f.counts();
    expect((await poll(started.device_code)).body).toEqual({
      error: 'expired_token',
      error_description: 'the device code expired (it lasts 10 minutes); start again',
    });
    expect(await f.counts()).toEqual(before);
    const browser = new HandBrowser();
    const html = await (await browser.request(`${f.base}/sso/device`)).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)![1]!;
    const typed = await browser.request(`${f.base}/sso/device/verify`, {
      method: 'POST',
      form: { csrf, user_code: started.user_code },
    });
    expect(typed.status).toBe(400);
    expect(await typed.text()).toContain('user_code: unknown or expired');
  });

  it('refuses a code form posted without the page’s token or from another origin (CSRF)', async () => {
    const started = await startDevice();
    const signIns = await f.server.store.ssoSignIns.count({});
    const noCookie = await post('/sso/device/verify', { csrf: 'x', user_code: started.user_code });
    expect(noCookie.status).toBe(403);
    expect(noCookie.text).toContain('not sent from envid');
    const browser = new HandBrowser();
    const html = await (await browser.request(`${f.base}/sso/device`)).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)![1]!;
    const cookie = `envid_device_csrf=${browser.jar(f.base).get('envid_device_csrf')}`;
    const foreign = await post(
      '/sso/device/verify',
      { csrf, user_code: started.user_code },
      { cookie, origin: 'http://evil.example' },
    );
    expect(foreign.status).toBe(403);
    expect(await f.server.store.ssoSignIns.count({})).toBe(signIns);
    expect(await f.lastRefusal()).toMatchObject({ reason: expect.stringContaining('device verification') });
    const setCookie = (await browser.request(`${f.base}/sso/device`)).headers.get('set-cookie');
    expect(setCookie).toMatch(
      /^envid_device_csrf=[^;]+; Path=\/sso\/device; Max-Age=600; HttpOnly; SameSite=Strict$/,
    );
  });

  it('removes grants past their lifetime when it writes a new one', async () => {
    const old = await startDevice();
    // The row's ID is the device code's SHA-256: the store never holds the code.
    const oldId = createHash('sha256').update(old.device_code).digest('hex');
    expect(await f.server.store.ssoCliGrants.find(oldId)).toMatchObject({ kind: 'device', state: 'pending' });
    f.server.clock.advance(10 * 60 * 1000 + 1);
    await startDevice();
    expect(await f.server.store.ssoCliGrants.find(oldId)).toBeUndefined();
    expect((await poll(old.device_code)).body.error).toBe('invalid_grant');
  });

  it('names the field when the configuration is missing or unknown', async () => {
    expect((await post('/sso/device', {})).body).toEqual({
      error: 'invalid_request',
      error_description: 'ssoConfigurationId: must be the UUID of an SSO configuration',
    });
    const unknown = await post('/sso/device', { ssoConfigurationId: '0190a1b2-0000-7000-8000-000000000000' });
    expect(unknown.status).toBe(404);
  });
});

describe('SSO command-line rate limit', () => {
  let f: SsoCliFixture;
  beforeAll(async () => {
    f = await startSsoCliFixture('pglite', { limits: { ssoCli: { count: 3, seconds: 60 } } });
  });
  afterAll(async () => {
    await f?.close();
  });

  it('answers 429 slow_down with Retry-After past --sso-cli-rate-limit, audited once per window', async () => {
    const form = new URLSearchParams({ ssoConfigurationId: f.configId }).toString();
    const send = () =>
      fetch(`${f.base}/sso/device`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form,
      });
    for (let i = 0; i < 3; i++) expect((await send()).status).toBe(200);
    const grants = await f.server.store.ssoCliGrants.count({});
    for (let i = 0; i < 2; i++) {
      const refused = await send();
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await refused.json()).toEqual({
        error: 'slow_down',
        error_description: expect.stringMatching(
          /^too many command-line sign-in requests from 127\.0\.0\.1: at most 3 in 60 s per client address \(envid serve --sso-cli-rate-limit\); retry in \d+ s$/,
        ),
      });
    }
    expect(await f.server.store.ssoCliGrants.count({})).toBe(grants);
    const refusals = await f.server.store.auditEvents.list(
      { kind: 'sso.sign_in_refused' },
      { pageSize: 100 },
    );
    expect(refusals.items.map((event) => event.details.reason)).toEqual([
      expect.stringMatching(/^\/sso\/device: too many command-line sign-in requests/),
    ]);
  });
});

import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HandBrowser } from '../../support/browser-by-hand.ts';
import { engines } from '../../support/databases.ts';
import { type SsoCliFixture, startSsoCliFixture } from '../../support/sso-cli-fixture.ts';
import { upstreamSignIn } from '../../support/upstream-sign-in.ts';

/**
 * `envid login --sso`'s loopback flow (RFC 8252) over real HTTP, the CLI's part done by hand: the
 * browser goes from /sso/start through oidc-provider and back to a loopback URI with a one-time code,
 * which POST /sso/cli/token redeems with the PKCE verifier for a personal access token.
 */
describe.each(engines)('SSO sign-in for the command line (loopback) on %s', (engine) => {
  let f: SsoCliFixture;
  const loopback = 'http://127.0.0.1:49321/callback';

  beforeAll(async () => {
    f = await startSsoCliFixture(engine);
  });
  afterAll(async () => {
    await f?.close();
  });
  beforeEach(() => f.server.clock.advance(1000));

  const pkce = () => {
    const verifier = randomBytes(32).toString('base64url');
    return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
  };
  const startUrl = (challenge: string, redirectUri = loopback, extra = '') =>
    `${f.base}/sso/start?ssoConfigurationId=${f.configId}&redirect_uri=${encodeURIComponent(redirectUri)}` +
    `&code_challenge=${challenge}&code_challenge_method=S256&state=cli-state-1${extra}`;

  /** Signs `account` in upstream and answers where envid sent the browser afterwards (unvisited). */
  const signIn = async (account: string, challenge: string) => {
    const browser = new HandBrowser();
    const { callback } = await upstreamSignIn(browser, startUrl(challenge), account);
    expect(callback?.origin).toBe(f.base);
    const done = await browser.follow(callback!.href, (next) => next.origin !== f.base);
    return { landed: done.stoppedAt, response: done.response };
  };
  const redeem = async (form: Record<string, string>) => {
    const response = await fetch(`${f.base}/sso/cli/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
    return { status: response.status, body: (await response.json()) as any };
  };
  const codeGrant = (code: string, verifier: string, redirectUri = loopback) => ({
    grant_type: 'authorization_code',
    code,
    code_verifier: verifier,
    redirect_uri: redirectUri,
  });

  it('sends the browser to the loopback with a one-time code the CLI redeems for an organization token', async () => {
    const { verifier, challenge } = pkce();
    const before = await f.counts();
    const { landed } = await signIn('alice', challenge);
    expect(`${landed!.origin}${landed!.pathname}`).toBe(loopback);
    expect(landed!.searchParams.get('state')).toBe('cli-state-1');
    const code = landed!.searchParams.get('code')!;
    expect(code).toMatch(/^envid_sso_code_/);
    // The store keeps the code's hash only.
    expect(await f.server.store.ssoCliGrants.find(code)).toBeUndefined();
    // A CLI sign-in starts no browser session.
    expect((await f.counts()).sessions).toBe(before.sessions);

    const answer = await redeem(codeGrant(code, verifier));
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toMatchObject({
      token_type: 'Bearer',
      organization_id: f.org.organization.id,
      access_token: expect.stringMatching(/^envid_pat_/),
    });
    const me = await f.server.call('IdentityService/GetAuthenticatedIdentity', {}, answer.body.access_token);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      organizationId: f.org.organization.id,
      subject: { id: answer.body.user_id },
    });
    const credential = await f.server.store.credentials.get(answer.body.personal_access_token_id);
    expect(credential).toMatchObject({
      principalKind: 'user',
      principalId: answer.body.user_id,
      organizationId: f.org.organization.id,
    });
    const events = await f.server.store.auditEvents.list({ kind: 'sso.cli_signed_in' }, { pageSize: 100 });
    expect(events.items.at(-1)).toMatchObject({
      organizationId: f.org.organization.id,
      principalId: answer.body.user_id,
      details: { flow: 'loopback', personalAccessTokenId: credential.id, ssoConfigurationId: f.configId },
    });

    // Used once: the same code again is refused, and makes nothing.
    const after = await f.counts();
    const replay = await redeem(codeGrant(code, verifier));
    expect(replay).toEqual({
      status: 400,
      body: {
        error: 'invalid_grant',
        error_description: 'the code is unknown or was already used; sign in again',
      },
    });
    expect(await f.counts()).toEqual(after);
    expect(await f.lastRefusal()).toMatchObject({ reason: expect.stringContaining('already used') });
  });

  it('refuses a code_verifier that is not the challenge’s, and the code is spent', async () => {
    const { verifier, challenge } = pkce();
    const { landed } = await signIn('alice', challenge);
    const code = landed!.searchParams.get('code')!;
    const before = await f.counts();
    const wrong = await redeem(codeGrant(code, pkce().verifier));
    expect(wrong).toEqual({
      status: 400,
      body: {
        error: 'invalid_grant',
        error_description: 'code_verifier does not match the code_challenge the sign-in started with',
      },
    });
    expect((await f.counts()).credentials).toBe(before.credentials);
    expect(await f.lastRefusal()).toMatchObject({
      ssoConfigurationId: f.configId,
      reason: expect.stringContaining('code_verifier'),
    });
    expect((await redeem(codeGrant(code, verifier))).body.error).toBe('invalid_grant');
    expect((await f.counts()).credentials).toBe(before.credentials);
  });

  it('refuses a redirect_uri other than the one the sign-in started with', async () => {
    const { verifier, challenge } = pkce();
    const { landed } = await signIn('alice', challenge);
    const before = await f.counts();
    const answer = await redeem(
      codeGrant(landed!.searchParams.get('code')!, verifier, 'http://127.0.0.1:1/callback'),
    );
    expect(answer.body).toEqual({
      error: 'invalid_grant',
      error_description: 'redirect_uri is not the one the sign-in started with',
    });
    expect((await f.counts()).credentials).toBe(before.credentials);
  });

  it('refuses a code older than 2 minutes', async () => {
    const { verifier, challenge } = pkce();
    const { landed } = await signIn('alice', challenge);
    f.server.clock.advance(2 * 60 * 1000 + 1);
    const before = await f.counts();
    const answer = await redeem(codeGrant(landed!.searchParams.get('code')!, verifier));
    expect(answer.body).toEqual({
      error: 'invalid_grant',
      error_description: 'the code expired (it lasts 2 minutes); sign in again',
    });
    expect((await f.counts()).credentials).toBe(before.credentials);
  });

  it('takes a CEL refusal to the loopback as access_denied with the reason, creating nothing', async () => {
    const { challenge } = pkce();
    const before = await f.counts();
    const { landed } = await signIn('mallory', challenge);
    expect(`${landed!.origin}${landed!.pathname}`).toBe(loopback);
    expect(landed!.searchParams.get('error')).toBe('access_denied');
    expect(landed!.searchParams.get('error_description')).toContain('"envid-users" in claims.groups');
    expect(landed!.searchParams.get('state')).toBe('cli-state-1');
    expect(landed!.searchParams.get('code')).toBeNull();
    expect(await f.counts()).toEqual(before);
    expect(await f.lastRefusal()).toMatchObject({ subject: 'mallory', ssoConfigurationId: f.configId });
  });

  it.each([
    ['another host', 'http://evil.example/callback'],
    ['localhost (a name, not the loopback address)', 'http://localhost:49321/callback'],
    ['https on the loopback', 'https://127.0.0.1:49321/callback'],
    ['no port', 'http://127.0.0.1/callback'],
    ['user info naming another host', 'http://127.0.0.1:1@evil.example/callback'],
    ['a fragment', 'http://127.0.0.1:49321/callback#x'],
    ['a lookalike host', 'http://127.0.0.1.evil.example:80/callback'],
  ])('refuses a redirect_uri to %s before going upstream (no open redirect)', async (_name, redirectUri) => {
    const signIns = await f.server.store.ssoSignIns.count({});
    const response = await fetch(startUrl(pkce().challenge, redirectUri), { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/^redirect_uri must be a loopback URI with a port/);
    expect(await f.server.store.ssoSignIns.count({})).toBe(signIns);
  });

  it('accepts the IPv6 loopback, and refuses a loopback redirect without an S256 challenge', async () => {
    const v6 = await fetch(startUrl(pkce().challenge, 'http://[::1]:49321/callback'), { redirect: 'manual' });
    expect(v6.status).toBe(302);
    await v6.body?.cancel();
    const plain = await fetch(startUrl(pkce().challenge).replace('method=S256', 'method=plain'), {
      redirect: 'manual',
    });
    expect(plain.status).toBe(400);
    expect(await plain.text()).toBe('code_challenge_method must be S256\n');
    const none = await fetch(startUrl('short'), { redirect: 'manual' });
    expect(none.status).toBe(400);
    expect(await none.text()).toMatch(/^code_challenge is required with redirect_uri/);
  });

  it('names the missing field and the allowed grant types', async () => {
    expect((await redeem({ grant_type: 'password' })).body).toEqual({
      error: 'unsupported_grant_type',
      error_description:
        'grant_type must be authorization_code or urn:ietf:params:oauth:grant-type:device_code',
    });
    // JSON bodies are read as forms are.
    const json = await fetch(`${f.base}/sso/cli/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'password' }),
    });
    expect(((await json.json()) as any).error).toBe('unsupported_grant_type');
    expect((await redeem({ grant_type: 'authorization_code', code: 'x' })).body).toEqual({
      error: 'invalid_request',
      error_description: 'code_verifier is required',
    });
  });
});

import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { issueCredential } from '../../../src/services/credentials/issue-credential.ts';
import { type ApiTestServer, startApiTestServer } from '../../support/api-server.ts';
import { HandBrowser } from '../../support/browser-by-hand.ts';
import { type SeededOrganization, seedOrganizationWithPrincipals } from '../../support/principals.ts';
import { createUpstreamSsoConfiguration } from '../../support/sso-configuration.ts';
import { startUpstream, type Upstream } from '../../support/upstream-oidc.ts';
import { upstreamSignIn } from '../../support/upstream-sign-in.ts';

/**
 * The browser sign-in over real HTTP: envid and panva's oidc-provider on 127.0.0.1, the redirects
 * followed by hand with each origin's cookies kept.
 */
describe('SSO sign-in in the browser', () => {
  let server: ApiTestServer;
  let base = '';
  let upstream: Upstream;
  let second: Upstream;
  let a: SeededOrganization;
  let configId = '';
  let secondConfigId = '';

  const createConfig = (organizationId: string, provider: Upstream, extra: Record<string, unknown>) =>
    createUpstreamSsoConfiguration(server, organizationId, provider, extra);

  beforeAll(async () => {
    server = await startApiTestServer('pglite', { issuer: () => base || 'http://127.0.0.1' });
    base = await server.app.listen({ port: 0, host: '127.0.0.1' });
    // envid's clock judges ID token times: start it at the real time the upstream signs with.
    server.clock.set(Date.now());
    upstream = await startUpstream({ redirectUris: [`${base}/sso/callback`], idTokenTtlSeconds: 60 });
    second = await startUpstream({ redirectUris: [`${base}/sso/callback`] });
    upstream.accounts.set('alice', {
      sub: 'alice',
      email: 'alice@acme.example',
      preferred_username: 'alice',
      groups: ['envid-users', 'eng'],
    });
    upstream.accounts.set('mallory', {
      sub: 'mallory',
      email: 'mallory@acme.example',
      groups: ['contractors'],
    });
    upstream.accounts.set('bob', { sub: 'bob', email: 'bob@acme.example', groups: ['envid-users'] });
    // As Entra ID answers: no email_verified, but xms_edov when the domain's owner verified the address.
    for (const [name, xms_edov] of [
      ['erin', true],
      ['ezra', false],
    ] as const)
      upstream.accounts.set(name, {
        sub: name,
        email: `${name}@acme.example`,
        email_verified: false,
        xms_edov,
        groups: ['envid-users'],
      });
    // The second provider claims alice's address for someone else.
    second.accounts.set('eve', { sub: 'eve', email: 'Alice@Acme.Example', groups: ['envid-users'] });
    a = await seedOrganizationWithPrincipals(server.store, server.clock, 'A');
    const b = await seedOrganizationWithPrincipals(server.store, server.clock, 'B');
    configId = await createConfig(a.organization.id, upstream, {
      additionalScopes: ['groups'],
      forwardedClaims: ['groups', 'preferred_username'],
      claimsExpression: '"envid-users" in claims.groups',
    });
    secondConfigId = await createConfig(b.organization.id, second, { additionalScopes: ['groups'] });
  });
  afterAll(async () => {
    await second?.close();
    await upstream?.close();
    await server?.close();
  });

  // A second apart, so the audit log lists each test's events after the last test's.
  beforeEach(() => server.clock.advance(1000));

  const startUrl = (id: string, returnTo = '/console') =>
    `${base}/sso/start?ssoConfigurationId=${id}&returnTo=${encodeURIComponent(returnTo)}`;
  const session = async (browser: HandBrowser) => {
    const response = await browser.request(`${base}/sso/session`);
    return { status: response.status, body: (await response.json()) as any };
  };
  const counts = async () => ({
    users: await server.store.users.count({}),
    identities: await server.store.userIdentities.count({}),
    memberships: await server.store.memberships.count({}),
    sessions: await server.store.browserSessions.count({}),
  });
  const lastRefusal = async () => {
    const events = await server.store.auditEvents.list({ kind: 'sso.sign_in_refused' }, { pageSize: 100 });
    return events.items.at(-1)?.details;
  };

  it('signs alice in: user by (issuer, subject), joined by domain, claims forwarded, a session cookie', async () => {
    const browser = new HandBrowser();
    const { callback } = await upstreamSignIn(browser, startUrl(configId), 'alice');
    expect(callback?.origin).toBe(base);
    const done = await browser.follow(callback!.href, (next) => !next.pathname.startsWith('/sso/'));
    expect(done.stoppedAt?.href).toBe(`${base}/console`);

    const sessionLine = browser.setCookies.find((line) => line.startsWith('envid_session=envid_session_'));
    expect(sessionLine).toMatch(/; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax$/);
    const me = await session(browser);
    expect(me).toEqual({
      status: 200,
      body: { userId: expect.any(String), email: 'alice@acme.example', name: 'alice' },
    });
    const user = await server.store.users.get(me.body.userId);
    expect(user).toMatchObject({
      emailVerified: true,
      idp: upstream.issuer,
      idpClaims: { groups: ['envid-users', 'eng'], preferred_username: 'alice' },
    });
    expect(await server.store.userIdentities.findOne({ userId: user.id })).toMatchObject({
      issuer: upstream.issuer,
      subject: 'alice',
    });
    expect(await server.store.memberships.findOne({ userId: user.id })).toMatchObject({
      organizationId: a.organization.id,
      role: 'member',
    });
    // The database holds the session's hash, never the cookie.
    const secret = browser.jar(base).get('envid_session')!;
    const row = await server.store.browserSessions.findOne({ userId: user.id });
    expect(row?.secretHash).toBe(createHash('sha256').update(secret).digest('hex'));

    // Signing in again rotates the session: the old cookie no longer works; the same user comes back.
    const before = await counts();
    const old = new HandBrowser();
    old.jar(base).set('envid_session', secret);
    const again = await upstreamSignIn(browser, startUrl(configId), 'alice');
    await browser.follow(again.callback!.href, (next) => !next.pathname.startsWith('/sso/'));
    expect((await session(old)).status).toBe(401);
    expect((await session(browser)).body.userId).toBe(user.id);
    expect(await counts()).toEqual({ ...before, sessions: before.sessions + 1 });

    // Sign-out revokes the session server-side.
    const out = await browser.request(`${base}/sso/sign-out`, { method: 'POST' });
    expect(out.status).toBe(204);
    const revoked = new HandBrowser();
    revoked.jar(base).set(
      'envid_session',
      browser.setCookies
        .filter((l) => l.startsWith('envid_session=envid'))
        .at(-1)!
        .split(';')[0]!
        .split('=')[1]!,
    );
    expect((await session(revoked)).status).toBe(401);

    const signedIn = await server.store.auditEvents.list({ kind: 'sso.signed_in' }, { pageSize: 100 });
    // The first sign-in created and joined; the second found the same user, already a member.
    const outcomes = signedIn.items.map((event) => [
      event.principalId,
      event.details.userCreated,
      event.details.joined,
    ]);
    expect(outcomes.sort()).toEqual([
      [user.id, false, false],
      [user.id, true, true],
    ]);
    expect(signedIn.items.every((event) => event.organizationId === a.organization.id)).toBe(true);
    expect(signedIn.items[0]?.details).toMatchObject({ ssoConfigurationId: configId, subject: 'alice' });
  });

  it('drops a claim the upstream no longer sends from the next user token and the next environment, at the next sign-in', async () => {
    upstream.accounts.set('dana', {
      sub: 'dana',
      email: 'dana@acme.example',
      preferred_username: 'dana',
      groups: ['envid-users', 'eng'],
    });
    const signIn = async () => {
      const browser = new HandBrowser();
      const { callback } = await upstreamSignIn(browser, startUrl(configId), 'dana');
      const done = await browser.follow(callback!.href, (next) => !next.pathname.startsWith('/sso/'));
      expect(done.stoppedAt?.pathname).toBe('/console');
      return (await session(browser)).body.userId as string;
    };
    const userId = await signIn();
    const { secret } = await issueCredential(server.store, server.clock, {
      principalKind: 'user',
      principalId: userId,
      organizationId: a.organization.id,
      description: 'dana',
    });
    const idToken = async (credential: string) => {
      const answer = await server.call(
        'IdentityService/GetIDToken',
        { audience: ['sts.amazonaws.com'] },
        credential,
      );
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      return decodeJwt(answer.body.token as string);
    };
    const environmentToken = async () => {
      const created = await server.call(
        'EnvironmentService/CreateEnvironment',
        { spec: { machine: { class: a.runner.runner.id } } },
        secret,
      );
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      const access = await server.call(
        'EnvironmentService/CreateEnvironmentAccessToken',
        { environmentId: created.body.environment.id },
        secret,
      );
      expect(access.status, JSON.stringify(access.body)).toBe(200);
      return access.body.accessToken as string;
    };
    expect((await idToken(secret)).idp_claims).toStrictEqual({
      groups: ['envid-users', 'eng'],
      preferred_username: 'dana',
    });
    const first = await environmentToken();
    expect((await idToken(first)).creator_idp_claims).toStrictEqual({
      groups: ['envid-users', 'eng'],
      preferred_username: 'dana',
    });

    // The upstream takes dana out of eng and stops releasing preferred_username; dana signs in again.
    upstream.accounts.set('dana', { sub: 'dana', email: 'dana@acme.example', groups: ['envid-users'] });
    expect(await signIn()).toBe(userId);
    const user = await idToken(secret);
    expect(user.idp).toBe(upstream.issuer);
    expect(user.idp_claims).toStrictEqual({ groups: ['envid-users'] });
    expect((await idToken(await environmentToken())).creator_idp_claims).toStrictEqual({
      groups: ['envid-users'],
    });
    // The environment made before keeps what its creator had then.
    expect((await idToken(first)).creator_idp_claims).toStrictEqual({
      groups: ['envid-users', 'eng'],
      preferred_username: 'dana',
    });
  });

  it('joins by domain on Entra ID’s xms_edov as on email_verified; an unverified address signs in without joining', async () => {
    for (const [name, joins] of [
      ['erin', true],
      ['ezra', false],
    ] as const) {
      const browser = new HandBrowser();
      const { callback } = await upstreamSignIn(browser, startUrl(configId), name);
      await browser.follow(callback!.href, (next) => !next.pathname.startsWith('/sso/'));
      const me = await session(browser);
      expect(me.status).toBe(200);
      const user = await server.store.users.get(me.body.userId);
      expect(user.emailVerified).toBe(joins);
      expect(Boolean(await server.store.memberships.findOne({ userId: user.id }))).toBe(joins);
    }
  });

  it('refuses an answer whose state differs from the one this browser started, creating nothing', async () => {
    const browser = new HandBrowser();
    const { callback } = await upstreamSignIn(browser, startUrl(configId), 'bob');
    const before = await counts();
    callback!.searchParams.set('state', 'forged-state');
    const answer = await browser.request(callback!.href);
    expect(answer.status).toBe(403);
    expect(await answer.text()).toMatch(/^Sign-in refused: this sign-in was not started in this browser/);
    expect(await counts()).toEqual(before);
    expect(await lastRefusal()).toMatchObject({
      reason: expect.stringContaining('not started in this browser'),
    });
  });

  it('refuses a replayed answer (the same code and state twice)', async () => {
    const browser = new HandBrowser();
    const { callback } = await upstreamSignIn(browser, startUrl(configId), 'bob');
    const state = browser.jar(base).get('envid_sso_state')!;
    await browser.follow(callback!.href, (next) => !next.pathname.startsWith('/sso/'));
    const before = await counts();
    browser.jar(base).set('envid_sso_state', state);
    const replay = await browser.request(callback!.href);
    expect(replay.status).toBe(403);
    expect(await replay.text()).toMatch(/unknown or was already completed/);
    expect(await counts()).toEqual(before);
  });

  it('refuses an ID token whose nonce is not the one sent', async () => {
    const browser = new HandBrowser();
    const { callback } = await upstreamSignIn(browser, startUrl(configId), 'bob');
    const id = createHash('sha256').update(callback!.searchParams.get('state')!).digest('hex');
    await server.store.ssoSignIns.update(id, (row) => ({ ...row, nonce: 'another-nonce' }));
    const before = await counts();
    const answer = await browser.request(callback!.href);
    expect(answer.status).toBe(403);
    expect(await answer.text()).toMatch(
      /^Sign-in refused: the provider's answer did not verify: .*claim nonce/,
    );
    expect(await counts()).toEqual(before);
  });

  it('refuses whom the CEL rule does not admit, with the rule in the reason', async () => {
    const browser = new HandBrowser();
    const before = await counts();
    const { callback } = await upstreamSignIn(browser, startUrl(configId), 'mallory');
    const answer = await browser.request(callback!.href);
    expect(answer.status).toBe(403);
    expect(await answer.text()).toContain(
      `the organization's admission rule ("envid-users" in claims.groups) does not admit you`,
    );
    expect(await counts()).toEqual(before);
    expect(await lastRefusal()).toMatchObject({ subject: 'mallory', ssoConfigurationId: configId });
  });

  it('refuses a second provider claiming an address that already has an account', async () => {
    const browser = new HandBrowser();
    const before = await counts();
    const { callback } = await upstreamSignIn(browser, startUrl(secondConfigId), 'eve');
    const answer = await browser.request(callback!.href);
    expect(answer.status).toBe(403);
    expect(await answer.text()).toMatch(
      /an envid account with the address alice@acme\.example already exists and is not linked to http:\/\/127\.0\.0\.1:\d+/,
    );
    expect(await counts()).toEqual(before);
  });

  it.each(['https://evil.example/', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)', '/ok\n/x'])(
    'refuses to return to %j (no open redirect) before going upstream',
    async (returnTo) => {
      const browser = new HandBrowser();
      const answer = await browser.request(startUrl(configId, returnTo));
      expect(answer.status).toBe(400);
      expect(await answer.text()).toMatch(/^returnTo must be a path on this server/);
      expect(answer.headers.get('location')).toBeNull();
    },
  );

  it('refuses an answer that names another issuer (RFC 9207 iss), creating nothing', async () => {
    const browser = new HandBrowser();
    const { callback } = await upstreamSignIn(browser, startUrl(configId), 'bob');
    expect(callback!.searchParams.get('iss')).toBe(upstream.issuer);
    callback!.searchParams.set('iss', second.issuer);
    const before = await counts();
    const answer = await browser.request(callback!.href);
    expect(answer.status).toBe(403);
    expect(await answer.text()).toMatch(/^Sign-in refused: the provider's answer did not verify: .*iss/);
    expect(await counts()).toEqual(before);
  });

  it('refuses a code made for another client (the audience is not envid)', async () => {
    const browser = new HandBrowser();
    const { callback } = await upstreamSignIn(browser, startUrl(configId), 'bob');
    // Between start and callback the configuration is pointed at another client of the same provider.
    await server.store.ssoConfigurations.update(configId, (row) => ({ ...row, clientId: 'other' }));
    const before = await counts();
    try {
      const answer = await browser.request(callback!.href);
      expect(answer.status).toBe(403);
      expect(await answer.text()).toMatch(/^Sign-in refused: the provider's answer did not verify: /);
      expect(await counts()).toEqual(before);
    } finally {
      await server.store.ssoConfigurations.update(configId, (row) => ({
        ...row,
        clientId: upstream.client.id,
      }));
    }
  });

  it('refuses a validly signed ID token made for another audience, naming the audience check, creating nothing', async () => {
    const browser = new HandBrowser();
    upstream.tamper.idTokenAudience = 'other';
    try {
      const { callback } = await upstreamSignIn(browser, startUrl(configId), 'bob');
      const before = await counts();
      const answer = await browser.request(callback!.href);
      expect(answer.status).toBe(403);
      expect(await answer.text()).toMatch(
        /^Sign-in refused: the provider's answer did not verify: .*"aud" \(audience\).*claim aud/,
      );
      expect(await counts()).toEqual(before);
      expect(await lastRefusal()).toMatchObject({ reason: expect.stringContaining('claim aud') });
    } finally {
      delete upstream.tamper.idTokenAudience;
    }
  });

  it('refuses an ID token that expired before it reached envid', async () => {
    const browser = new HandBrowser();
    const { callback } = await upstreamSignIn(browser, startUrl(configId), 'bob');
    // The upstream's ID tokens live 60 s (plus openid-client's 30 s tolerance); the sign-in 10 minutes.
    server.clock.advance(2 * 60 * 1000);
    const before = await counts();
    const answer = await browser.request(callback!.href);
    expect(answer.status).toBe(403);
    expect(await answer.text()).toMatch(/^Sign-in refused: the provider's answer did not verify: .*exp/);
    expect(await counts()).toEqual(before);
  });
});

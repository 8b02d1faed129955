import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiTestServer, startApiTestServer } from '../../support/api-server.ts';
import { seedOrganizationWithPrincipals } from '../../support/principals.ts';
import { titled } from '../../support/skip-reason.ts';
import { createUpstreamSsoConfiguration } from '../../support/sso-configuration.ts';
import { startUpstream, type Upstream } from '../../support/upstream-oidc.ts';

const chromiumPath = '/usr/bin/chromium';
/** Why the test skips (no Debian Chromium), or undefined when it runs. CI sets ENVID_REQUIRE_CHROMIUM: there it fails. */
const noChromium = (() => {
  if (existsSync(chromiumPath)) return undefined;
  const reason = `Chromium is not installed at ${chromiumPath} (apt-get install chromium)`;
  if (process.env['ENVID_REQUIRE_CHROMIUM']) throw new Error(reason);
  return reason;
})();

/**
 * The sign-in once in a real browser: Debian's Chromium driven by playwright-core (never a downloaded
 * browser; .ci/run installs the package), against envid and oidc-provider on 127.0.0.1.
 */
describe.skipIf(noChromium !== undefined)(titled('SSO sign-in in Chromium', noChromium), () => {
  let server: ApiTestServer;
  let upstream: Upstream;
  let base = '';
  let configId = '';
  beforeAll(async () => {
    server = await startApiTestServer('pglite', { issuer: () => base || 'http://127.0.0.1' });
    base = await server.app.listen({ port: 0, host: '127.0.0.1' });
    server.clock.set(Date.now());
    upstream = await startUpstream({ redirectUris: [`${base}/sso/callback`] });
    upstream.accounts.set('ada', { sub: 'ada', email: 'ada@acme.example', groups: ['envid-users'] });
    const a = await seedOrganizationWithPrincipals(server.store, server.clock, 'A');
    configId = await createUpstreamSsoConfiguration(server, a.organization.id, upstream, {
      claimsExpression: '"envid-users" in claims.groups',
      additionalScopes: ['groups'],
    });
  });
  afterAll(async () => {
    await upstream?.close();
    await server?.close();
  });

  it('signs in through the upstream login and consent pages and lands with an HttpOnly session cookie', async () => {
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const page = await browser.newPage();
      await page.goto(`${base}/sso/start?ssoConfigurationId=${configId}&returnTo=/sso/session`);
      await page.fill('input[name="login"]', 'ada');
      await page.fill('input[name="password"]', 'any');
      await page.click('button[type="submit"]');
      await page.waitForSelector('input[name="prompt"][value="consent"]', { state: 'attached' });
      await page.click('button[type="submit"]');
      await page.waitForURL(`${base}/sso/session`);
      expect(JSON.parse((await page.textContent('body')) ?? '')).toMatchObject({ email: 'ada@acme.example' });
      const cookies = await page.context().cookies(base);
      expect(cookies.find((c) => c.name === 'envid_session')).toMatchObject({
        httpOnly: true,
        sameSite: 'Lax',
        path: '/',
      });
    } finally {
      await browser.close();
    }
  });
});

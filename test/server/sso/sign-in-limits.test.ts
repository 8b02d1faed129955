import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiTestServer, startApiTestServer } from '../../support/api-server.ts';
import { engines } from '../../support/databases.ts';
import { seedOrganizationWithPrincipals } from '../../support/principals.ts';
import { createUpstreamSsoConfiguration } from '../../support/sso-configuration.ts';
import { startUpstream, type Upstream } from '../../support/upstream-oidc.ts';

/**
 * What keeps the browser sign-in bounded: expired pending sign-ins are deleted when a new one starts,
 * and /sso/start is rate-limited per client address (--sso-start-limit), its refusals audited once per
 * window. Against panva's oidc-provider on 127.0.0.1, on each engine.
 */
describe.each(engines)('SSO sign-in limits on %s', (engine) => {
  let server: ApiTestServer;
  let upstream: Upstream;
  let configId = '';

  beforeAll(async () => {
    upstream = await startUpstream();
    server = await startApiTestServer(engine, { limits: { ssoStarts: { count: 3, seconds: 60 } } });
    const org = await seedOrganizationWithPrincipals(server.store, server.clock, 'A');
    configId = await createUpstreamSsoConfiguration(server, org.organization.id, upstream);
  });
  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });

  const start = (remoteAddress: string) =>
    server.app.inject({ url: `/sso/start?ssoConfigurationId=${configId}`, remoteAddress });
  const pendingRow = (id: string, createdAt: Date) => ({
    id,
    ssoConfigurationId: configId,
    codeVerifier: `verifier-${id}`,
    nonce: `nonce-${id}`,
    returnTo: '/',
    createdAt,
    expiresAt: new Date(createdAt.getTime() + 10 * 60 * 1000),
  });

  it('deletes expired pending sign-ins when the next one starts, and keeps the unexpired ones', async () => {
    const now = server.clock.now().getTime();
    await server.store.ssoSignIns.insert(pendingRow('expired-long-ago', new Date(now - 60 * 60 * 1000)));
    await server.store.ssoSignIns.insert(pendingRow('expired-just-now', new Date(now - 10 * 60 * 1000)));
    await server.store.ssoSignIns.insert(pendingRow('still-pending', new Date(now - 9 * 60 * 1000)));

    const answer = await start('192.0.2.10');
    expect(answer.statusCode, answer.body).toBe(302);
    expect(await server.store.ssoSignIns.find('expired-long-ago')).toBeUndefined();
    expect(await server.store.ssoSignIns.find('expired-just-now')).toBeUndefined();
    expect(await server.store.ssoSignIns.find('still-pending')).toBeDefined();
    // The unexpired row and the sign-in just started.
    expect(await server.store.ssoSignIns.count({})).toBe(2);
  });

  it('answers 429 past --sso-start-limit per client address, and audits only the first refusal of the window', async () => {
    const refusals = () => server.store.auditEvents.count({ kind: 'sso.sign_in_refused' });
    const before = await refusals();
    const rows = await server.store.ssoSignIns.count({});
    for (let i = 0; i < 3; i++) expect((await start('198.51.100.7')).statusCode).toBe(302);

    const refused = await start('198.51.100.7');
    expect(refused.statusCode).toBe(429);
    const wait = Number(refused.headers['retry-after']);
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(60);
    expect(refused.body).toBe(
      `too many sign-ins started from 198.51.100.7: at most 3 in 60 s per client address (envid serve --sso-start-limit); retry in ${wait} s\n`,
    );
    for (let i = 0; i < 5; i++) expect((await start('198.51.100.7')).statusCode).toBe(429);
    // Nothing stored for a refused start; one audit event for the six refusals.
    expect(await server.store.ssoSignIns.count({})).toBe(rows + 3);
    expect(await refusals()).toBe(before + 1);
    const events = await server.store.auditEvents.list({ kind: 'sso.sign_in_refused' }, { pageSize: 100 });
    expect(events.items.at(-1)?.details).toEqual({
      reason: expect.stringContaining('too many sign-ins started from 198.51.100.7'),
      clientAddress: '198.51.100.7',
    });
    // Another address is not affected.
    expect((await start('198.51.100.8')).statusCode).toBe(302);
  });
});

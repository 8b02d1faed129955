import { expect } from 'vitest';
import { type ApiTestServer, startApiTestServer } from './api-server.ts';
import type { Engine } from './databases.ts';
import { type SeededOrganization, seedOrganizationWithPrincipals } from './principals.ts';
import { startUpstream, type Upstream } from './upstream-oidc.ts';

/**
 * envid listening on 127.0.0.1 with an organization whose SSO is panva's oidc-provider (also on
 * 127.0.0.1), for the command-line sign-in tests: alice is admitted by the CEL rule, mallory is not.
 */
export interface SsoCliFixture {
  server: ApiTestServer;
  base: string;
  upstream: Upstream;
  org: SeededOrganization;
  configId: string;
  /** What the sign-ins leave behind, to show a refusal stored nothing. */
  counts(): Promise<Record<string, number>>;
  lastRefusal(): Promise<Record<string, unknown> | undefined>;
  close(): Promise<void>;
}

export async function startSsoCliFixture(
  engine: Engine,
  options: Parameters<typeof startApiTestServer>[1] = {},
): Promise<SsoCliFixture> {
  let base = '';
  const server = await startApiTestServer(engine, { issuer: () => base || 'http://127.0.0.1', ...options });
  base = await server.app.listen({ port: 0, host: '127.0.0.1' });
  // envid's clock judges ID token times: start it at the real time the upstream signs with.
  server.clock.set(Date.now());
  const upstream = await startUpstream({ redirectUris: [`${base}/sso/callback`] });
  upstream.accounts.set('alice', {
    sub: 'alice',
    email: 'alice@acme.example',
    preferred_username: 'alice',
    groups: ['envid-users'],
  });
  upstream.accounts.set('mallory', {
    sub: 'mallory',
    email: 'mallory@acme.example',
    groups: ['contractors'],
  });
  const org = await seedOrganizationWithPrincipals(server.store, server.clock, 'A');
  const answer = await server.call(
    'OrganizationService/CreateSSOConfiguration',
    {
      organizationId: org.organization.id,
      issuerUrl: upstream.issuer,
      clientId: upstream.client.id,
      clientSecret: upstream.client.secret,
      emailDomain: 'acme.example',
      additionalScopes: ['groups'],
      forwardedClaims: ['groups'],
      claimsExpression: '"envid-users" in claims.groups',
    },
    server.adminToken,
  );
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  const { store } = server;
  return {
    server,
    base,
    upstream,
    org,
    configId: answer.body.ssoConfiguration.id,
    counts: async () => ({
      users: await store.users.count({}),
      memberships: await store.memberships.count({}),
      credentials: await store.credentials.count({}),
      grants: await store.ssoCliGrants.count({ state: ['approved'] }),
      sessions: await store.browserSessions.count({}),
    }),
    async lastRefusal() {
      const events = await store.auditEvents.list({ kind: 'sso.sign_in_refused' }, { pageSize: 100 });
      return events.items.at(-1)?.details as Record<string, unknown> | undefined;
    },
    async close() {
      await upstream.close();
      await server.close();
    },
  };
}

import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { sdkClient, setUpEnvironmentThroughApi } from '../support/api-setup.ts';
import { engines } from '../support/databases.ts';
import { startEnvid, startEnvidOn } from '../support/envid-process.ts';

// Real server processes; PGlite's first start alone takes seconds on a busy machine.
vi.setConfig({ testTimeout: 180_000 });

// The engines' cases start their own servers and databases: they run side by side.
describe('the Ona SDK and standard verifiers against envid serve', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it.concurrent.each(engines)(
    'on %s drives the whole flow: organization to environment token to verified ID token, across a restart',
    async (engine) => {
      const { server: first, databaseUrl } = await startEnvidOn(engine, cleanups);
      const sdk = sdkClient;
      const { organizationId, userId, pat, projectId, runnerId, environmentId, environmentToken } =
        await setUpEnvironmentThroughApi(first.url, first.adminToken);
      const inside = sdk(first.url, environmentToken);
      expect(await inside.identity.getAuthenticatedIdentity({})).toEqual({
        organizationId,
        subject: { id: environmentId, principal: 'PRINCIPAL_ENVIRONMENT' },
      });

      // An ID token through the SDK, verified by standard libraries from envid's own discovery.
      const { token } = await inside.identity.getIDToken({ audience: ['sts.amazonaws.com'] });
      const configuration = await oidc.discovery(new URL(first.url), 'relying-party', undefined, undefined, {
        execute: [oidc.allowInsecureRequests],
      });
      const metadata = configuration.serverMetadata();
      expect(metadata.issuer).toBe(first.url);
      const jwks = createRemoteJWKSet(new URL(metadata.jwks_uri!));
      const { payload } = await jwtVerify(token!, jwks, { issuer: first.url, audience: 'sts.amazonaws.com' });
      expect(payload).toMatchObject({
        sub: `organization_id:${organizationId}:project_id:${projectId}`,
        environment_id: environmentId,
        runner_id: runnerId,
        creator_id: userId,
        creator_principal: 'user',
        creator_email: 'ada@acme.example',
        environment_initializers: [{ git: { remote_uri: 'https://github.com/acme/app.git' } }],
      });
      expect(await first.stop()).toBe(0);

      // After a restart on the same data: same keys, the old token still verifies, the credential still works.
      const second = await startEnvid({
        dataDir: first.dataDir,
        adminToken: first.adminToken,
        ...(databaseUrl ? { databaseUrl } : {}),
      });
      try {
        const secondJwks = createRemoteJWKSet(new URL(`${second.url}/.well-known/jwks.json`));
        await jwtVerify(token!, secondJwks, { audience: 'sts.amazonaws.com' });
        const again = sdk(second.url, environmentToken);
        expect((await again.identity.getAuthenticatedIdentity({})).subject?.id).toBe(environmentId);
        const fresh = await again.identity.getIDToken({ audience: ['vault'] });
        expect(decodeProtectedHeader(fresh.token!).kid).toBe(decodeProtectedHeader(token!).kid);

        // A stopped environment's token is refused.
        await sdk(second.url, pat).environments.stop({ environmentId });
        await expect(again.identity.getIDToken({ audience: ['vault'] })).rejects.toMatchObject({
          status: 401,
        });
      } finally {
        expect(await second.stop()).toBe(0);
      }
    },
  );
});

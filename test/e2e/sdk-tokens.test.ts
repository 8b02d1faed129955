import { Gitpod } from '@gitpod/sdk';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, engines } from '../support/databases.ts';
import { removeDir, startEnvid } from '../support/envid-process.ts';

// Real server processes; PGlite's first start alone takes seconds on a busy machine.
vi.setConfig({ testTimeout: 180_000 });

/** A Connect call with plain fetch, for envid methods the SDK does not have. */
async function call(url: string, token: string, method: string, body: unknown): Promise<any> {
  const response = await fetch(`${url}/api/gitpod.v1.${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`${method}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

describe.each(engines)('the Ona SDK and standard verifiers against envid serve on %s', (engine) => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('drives the whole flow: organization to environment token to verified ID token, across a restart', async () => {
    const database = engine === 'postgres' ? await createTestDatabase() : undefined;
    if (database) cleanups.push(database.drop);
    const databaseUrl = database?.url;
    const first = await startEnvid(databaseUrl ? { databaseUrl } : {});
    cleanups.push(() => removeDir(first.dataDir));
    const sdk = (url: string, bearerToken: string) =>
      new Gitpod({ bearerToken, baseURL: `${url}/api`, maxRetries: 0 });

    // The installation admin sets up an organization and its first admin.
    const { organization } = await sdk(first.url, first.adminToken).organizations.create({ name: 'Acme' });
    const organizationId = organization.id;
    const { user } = await call(first.url, first.adminToken, 'UserService/CreateUser', {
      email: 'ada@acme.example',
      name: 'Ada',
    });
    await call(first.url, first.adminToken, 'OrganizationService/AddMember', {
      organizationId,
      userId: user.id,
      role: 'ORGANIZATION_ROLE_ADMIN',
    });
    const { token: pat } = await call(first.url, first.adminToken, 'UserService/CreatePersonalAccessToken', {
      organizationId,
      userId: user.id,
      description: 'e2e',
    });

    // The admin, through the SDK: a project with a git initializer, a runner, an environment and its token.
    const admin = sdk(first.url, pat);
    const initializer = { specs: [{ git: { remoteUri: 'https://github.com/acme/app.git' } }] };
    const { project } = await admin.projects.create({ name: 'app', environmentClass: {}, initializer });
    const { runner } = await admin.runners.create({ name: 'eu-1' });
    const { environment } = await admin.environments.createFromProject({
      projectId: project!.id!,
      spec: { machine: { class: runner.runnerId! } },
    });
    const { accessToken } = await admin.environments.createEnvironmentToken({
      environmentId: environment.id,
    });
    const inside = sdk(first.url, accessToken);
    expect(await inside.identity.getAuthenticatedIdentity({})).toEqual({
      organizationId,
      subject: { id: environment.id, principal: 'PRINCIPAL_ENVIRONMENT' },
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
      sub: `organization_id:${organizationId}:project_id:${project!.id}`,
      environment_id: environment.id,
      runner_id: runner.runnerId,
      creator_id: user.id,
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
      const again = sdk(second.url, accessToken);
      expect((await again.identity.getAuthenticatedIdentity({})).subject?.id).toBe(environment.id);
      const fresh = await again.identity.getIDToken({ audience: ['vault'] });
      expect(decodeProtectedHeader(fresh.token!).kid).toBe(decodeProtectedHeader(token!).kid);

      // A stopped environment's token is refused.
      await sdk(second.url, pat).environments.stop({ environmentId: environment.id });
      await expect(again.identity.getIDToken({ audience: ['vault'] })).rejects.toMatchObject({ status: 401 });
    } finally {
      expect(await second.stop()).toBe(0);
    }
  });
});

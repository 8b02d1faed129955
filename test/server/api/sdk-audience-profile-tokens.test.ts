import { Gitpod } from '@gitpod/sdk';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildTokenClaims } from '../../../src/core/tokens/issue-token.ts';
import { loadTokenSubject } from '../../../src/server/tokens/token-subjects.ts';
import type { ApiTestServer } from '../../support/api-server.ts';
import { testIssuer } from '../../support/api-server.ts';
import { engines } from '../../support/databases.ts';
import { type SeededOrganization, startSeededApiServer } from '../../support/principals.ts';

/**
 * GetIDToken with audience profiles, over real HTTP: the official SDK asks for the tokens, jose verifies
 * them against the server's JWKS; profiles are managed with plain Connect calls through the same client.
 */
describe.each(engines)('GetIDToken with audience profiles on %s', (engine) => {
  let server: ApiTestServer;
  let a: SeededOrganization;
  let url: string;
  let jwks: ReturnType<typeof createRemoteJWKSet>;
  const client = (bearerToken: string) => new Gitpod({ bearerToken, baseURL: `${url}/api`, maxRetries: 0 });
  const admin = () => client(a.admin.token);
  const environment = () => client(a.environment.token);

  const createProfile = async (body: Record<string, unknown>) =>
    (
      await admin().post<{ audienceProfile: { id: string; version: number } }>(
        '/gitpod.v1.OrganizationService/CreateAudienceProfile',
        { body: { organizationId: a.organization.id, confirmSubChange: true, ...body } },
      )
    ).audienceProfile;
  const updateProfile = (audienceProfileId: string, body: Record<string, unknown>) =>
    admin().post('/gitpod.v1.OrganizationService/UpdateAudienceProfile', {
      body: { audienceProfileId, confirmSubChange: true, ...body },
    });
  const token = async (audience: string[], lifetime?: string, as = environment()) => {
    const { token } = await as.identity.getIDToken({ audience, ...(lifetime ? { lifetime } : {}) });
    return token!;
  };
  /** The verified claims: signature, issuer, audience and time checked by jose at the server's clock. */
  const verified = async (jwt: string, audience: string) =>
    (await jwtVerify(jwt, jwks, { issuer: testIssuer, audience, currentDate: server.clock.now() })).payload;

  beforeAll(async () => {
    ({ server, a } = await startSeededApiServer(engine));
    url = await server.app.listen({ port: 0, host: '127.0.0.1' });
    jwks = createRemoteJWKSet(new URL(`${url}/.well-known/jwks.json`));
  });
  afterAll(() => server.close());
  beforeEach(async () => {
    await server.store.audienceProfiles.deleteWhere({ organizationId: a.organization.id });
    server.clock.advance(1000);
  });

  it('without profiles, tokens are exactly as before: default sub, an hour, no extra claims', async () => {
    const claims = await verified(await token(['sts.amazonaws.com']), 'sts.amazonaws.com');
    // The very payload core builds from the organization's configuration alone, key for key in order.
    const loaded = await loadTokenSubject(server.store, {
      kind: 'environment',
      id: a.environment.environment.id,
      organizationId: a.organization.id,
      credentialId: 'unused',
    });
    const { claims: expected } = buildTokenClaims({
      issuer: testIssuer,
      audiences: ['sts.amazonaws.com'],
      now: new Date(claims.iat! * 1000),
      jti: claims.jti!,
      subject: loaded.subject,
      oidcConfig: loaded.oidcConfig,
    });
    expect(JSON.stringify(claims)).toBe(JSON.stringify(expected));
    expect(claims.exp! - claims.iat!).toBe(3600);
  });

  it('a matching profile sets the sub, the lifetime and the extra claims; other audiences keep the default', async () => {
    const before = decodeJwt(await token(['other.example']));
    const profile = await createProfile({
      name: 'aws',
      audiences: ['sts.amazonaws.com', 'aws-*'],
      oidcConfig: { v3: { extraSubFields: ['environment_id'] } },
      lifetimeSeconds: 900,
      extraClaims: [
        { name: 'team', value: 'platform' },
        { name: 'environment', from: 'environment_id' },
        { name: 'service_account', from: 'service_account_id' },
      ],
    });
    const claims = await verified(await token(['sts.amazonaws.com']), 'sts.amazonaws.com');
    expect(claims.sub).toBe(`${before.sub}:environment_id:${a.environment.environment.id}`);
    expect(claims.exp! - claims.iat!).toBe(900);
    expect(claims).toMatchObject({ team: 'platform', environment: a.environment.environment.id });
    // An environment has no service_account_id: that claim is left out, not empty.
    expect(claims).not.toHaveProperty('service_account');
    // The extra claims come after the principal's.
    expect(Object.keys(claims).slice(-2)).toEqual(['team', 'environment']);

    const other = decodeJwt(await token(['other.example']));
    expect(other.sub).toBe(before.sub);
    expect(other.exp! - other.iat!).toBe(3600);
    expect(other).not.toHaveProperty('team');

    const issued = await server.store.auditEvents.list({
      organizationId: a.organization.id,
      kind: 'token.issued',
    });
    const last = issued.items
      .filter((e) => (e.details.audiences as string[]).includes('sts.amazonaws.com'))
      .at(-1)!;
    expect(last.details.audienceProfile).toEqual({ id: profile.id, name: 'aws', version: 1 });
  });

  it('a profile signing with ES256: jose verifies the token against the served JWKS, which lists both algorithms', async () => {
    await createProfile({ name: 'vault', audiences: ['vault.example.com'], signingAlgorithm: 'ES256' });
    // Saving the profile published its keys, before any ES256 token.
    const published = (await (await fetch(`${url}/.well-known/jwks.json`)).json()) as {
      keys: { alg: string }[];
    };
    expect(published.keys.map((key) => key.alg)).toContain('ES256');
    const jwt = await token(['vault.example.com']);
    expect(JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString())).toMatchObject({
      alg: 'ES256',
    });
    // A fresh key set: the shared one fetched the JWKS before the ES256 keys existed (jose waits 30 s
    // before fetching again for an unknown kid, as a relying party would).
    const fresh = createRemoteJWKSet(new URL(`${url}/.well-known/jwks.json`));
    const { payload: claims } = await jwtVerify(jwt, fresh, {
      issuer: testIssuer,
      audience: 'vault.example.com',
      algorithms: ['ES256'],
      currentDate: server.clock.now(),
    });
    expect(claims.aud).toBe('vault.example.com');
    // The default stays RS256, and a fresh JWKS fetch shows keys of both algorithms.
    const rs = decodeJwt(await token(['other.example']));
    expect(rs.aud).toBe('other.example');
    const served = (await (await fetch(`${url}/.well-known/jwks.json`)).json()) as {
      keys: { alg: string; kty: string; crv?: string }[];
    };
    expect(new Set(served.keys.map((key) => key.alg))).toEqual(new Set(['RS256', 'ES256']));
    expect(served.keys.find((key) => key.alg === 'ES256')).toMatchObject({ kty: 'EC', crv: 'P-256' });
    const discovery = (await (await fetch(`${url}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(discovery.id_token_signing_alg_values_supported).toEqual(['RS256', 'ES256']);
  });

  it('the most specific profile wins: exact, then the glob with the most literal characters', async () => {
    await createProfile({
      name: 'vault',
      audiences: ['vault-*'],
      extraClaims: [{ name: 'p', value: 'vault' }],
    });
    await createProfile({
      name: 'vault-prod',
      audiences: ['vault-prod*'],
      extraClaims: [{ name: 'p', value: 'prod' }],
    });
    await createProfile({
      name: 'vault-one',
      audiences: ['vault-prod-1'],
      extraClaims: [{ name: 'p', value: 'one' }],
    });
    expect(decodeJwt(await token(['vault-dev'])).p).toBe('vault');
    expect(decodeJwt(await token(['vault-prod-2'])).p).toBe('prod');
    expect(decodeJwt(await token(['vault-prod-1'])).p).toBe('one');
    expect(decodeJwt(await token(['vault'])).p).toBeUndefined();
  });

  it('refuses audiences that resolve to different profiles, naming them; same profile is fine', async () => {
    await createProfile({ name: 'aws', audiences: ['sts.amazonaws.com', 'aws-*'] });
    await expect(token(['sts.amazonaws.com', 'elsewhere'])).rejects.toMatchObject({
      status: 400,
      error: {
        code: 'invalid_argument',
        message:
          'audience: the audiences resolve to different audience profiles ("sts.amazonaws.com" -> profile "aws", "elsewhere" -> the default profile); ask for a separate token per profile',
      },
    });
    const both = decodeJwt(await token(['sts.amazonaws.com', 'aws-eu']));
    expect(both.aud).toEqual(['sts.amazonaws.com', 'aws-eu']);
  });

  it('a shorter lifetime may be asked for; a longer one than the profile allows is refused naming it', async () => {
    await createProfile({ name: 'short', audiences: ['short.example'], lifetimeSeconds: 300 });
    const shorter = decodeJwt(await token(['short.example'], '120s'));
    expect(shorter.exp! - shorter.iat!).toBe(120);
    await expect(token(['short.example'], '600s')).rejects.toMatchObject({
      status: 400,
      error: {
        code: 'invalid_argument',
        message:
          'lifetime: must be a whole number of seconds from 60 to 300 (the limit of audience profile "short")',
      },
    });
  });

  it('a changed profile takes effect for the next token, for every principal kind', async () => {
    const profile = await createProfile({
      name: 'gcp',
      audiences: ['//iam.googleapis.com/*'],
      lifetimeSeconds: 900,
    });
    const audience = '//iam.googleapis.com/projects/1/pools/p/providers/envid';
    const callers = [
      environment(),
      client(a.runner.token),
      client(a.serviceAccount.token),
      client(a.member.token),
    ];
    for (const caller of callers) {
      const first = decodeJwt(await token([audience], undefined, caller));
      expect(first.exp! - first.iat!).toBe(900);
    }
    await updateProfile(profile.id, {
      lifetimeSeconds: 600,
      extraClaims: [{ name: 'kind', value: 'changed' }],
    });
    for (const caller of callers) {
      const changed = await verified(await token([audience], undefined, caller), audience);
      expect(changed.exp! - changed.iat!).toBe(600);
      expect(changed.kind).toBe('changed');
    }
    // And back to the default when the profile goes.
    await admin().post('/gitpod.v1.OrganizationService/DeleteAudienceProfile', {
      body: { audienceProfileId: profile.id, confirmSubChange: true },
    });
    const after = decodeJwt(await token([audience]));
    expect(after.exp! - after.iat!).toBe(3600);
    expect(after).not.toHaveProperty('kind');
  });
});

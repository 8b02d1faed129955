import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectError, expectOk } from '../../support/api-expect.ts';
import type { ApiTestServer } from '../../support/api-server.ts';
import { engines } from '../../support/databases.ts';
import {
  administrableByOrganizationAdmins,
  countRecords,
  type PrincipalRole,
  type SeededOrganization,
  startSeededApiServer,
  tokensByRole,
} from '../../support/principals.ts';

/** Only admins of `a` and the installation admin, for reads too: members are told no, outsiders see nothing. */
const adminOnly = administrableByOrganizationAdmins;

describe.each(engines)('audience profile methods on %s', (engine) => {
  let server: ApiTestServer;
  let a: SeededOrganization;
  let b: SeededOrganization;
  let tokens: Record<PrincipalRole, string>;
  const call = (method: string, body: unknown, token = a.admin.token) =>
    server.call(`OrganizationService/${method}`, body, token);
  const later = () => server.clock.advance(1000);
  const create = (body: Record<string, unknown>, token?: string) =>
    call('CreateAudienceProfile', { organizationId: a.organization.id, ...body }, token);
  let counter = 0;
  const azure = () => ({ name: `azure-${++counter}`, audiences: [`api://Azure-${counter}`] });

  beforeAll(async () => {
    ({ server, a, b } = await startSeededApiServer(engine));
    tokens = tokensByRole(server, a, b);
  });
  afterAll(() => server.close());
  beforeEach(async () => {
    await server.store.audienceProfiles.deleteWhere({
      organizationId: [a.organization.id, b.organization.id],
    });
    server.clock.advance(1000);
  });

  it('creates, reads, lists, updates and deletes a profile, auditing each change', async () => {
    const created = expectOk(
      await create({
        name: 'aws',
        audiences: ['sts.amazonaws.com', 'aws-*'],
        lifetimeSeconds: 900,
        extraClaims: [{ name: 'project', from: 'project_id' }],
      }),
    ).audienceProfile;
    expect(created).toEqual({
      id: expect.any(String),
      organizationId: a.organization.id,
      name: 'aws',
      audiences: ['sts.amazonaws.com', 'aws-*'],
      oidcConfig: { v3: { extraSubFields: [] } },
      lifetimeSeconds: 900,
      signingAlgorithm: 'RS256',
      extraClaims: [{ name: 'project', from: 'project_id' }],
      version: 1,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    later();
    expect(expectOk(await call('GetAudienceProfile', { audienceProfileId: created.id }))).toEqual({
      audienceProfile: created,
    });
    expect(
      expectOk(await call('ListAudienceProfiles', { organizationId: a.organization.id })).audienceProfiles,
    ).toEqual([created]);
    const updated = expectOk(
      await call('UpdateAudienceProfile', {
        audienceProfileId: created.id,
        lifetimeSeconds: 600,
        name: null,
      }),
    ).audienceProfile;
    expect(updated).toMatchObject({ name: 'aws', lifetimeSeconds: 600, version: 2 });
    later();
    expectOk(await call('DeleteAudienceProfile', { audienceProfileId: created.id }));
    expectError(await call('GetAudienceProfile', { audienceProfileId: created.id }), 'not_found', created.id);
    const events = await server.store.auditEvents.list({ organizationId: a.organization.id });
    const kinds = events.items.filter((e) => e.kind.startsWith('audience_profile.'));
    expect(kinds.map((e) => e.kind)).toEqual([
      'audience_profile.created',
      'audience_profile.updated',
      'audience_profile.deleted',
    ]);
    expect(kinds[1]!.details).toMatchObject({
      audienceProfileId: created.id,
      before: { lifetimeSeconds: 900, version: 1 },
      after: { lifetimeSeconds: 600, version: 2 },
      subChanges: 0,
    });
    expect(kinds[1]).toMatchObject({ actorKind: 'user', actorId: a.admin.user.id });
  });

  it.each(Object.entries(adminOnly))('answers %s with %i for every method', async (role, status) => {
    const token = tokens[role as PrincipalRole];
    const mine = expectOk(await create(azure())).audienceProfile;
    const responses = [
      await create(azure(), token),
      await call('GetAudienceProfile', { audienceProfileId: mine.id }, token),
      await call('ListAudienceProfiles', { organizationId: a.organization.id }, token),
      await call('UpdateAudienceProfile', { audienceProfileId: mine.id, lifetimeSeconds: 120 }, token),
    ];
    for (const response of responses) expect(response.status, JSON.stringify(response.body)).toBe(status);
    if (status === 404) expectError(responses[1]!, 'not_found', mine.id);
    const deleted = await call('DeleteAudienceProfile', { audienceProfileId: mine.id }, token);
    expect(deleted.status).toBe(status);
  });

  it('another organization’s profile is not_found exactly like an unknown ID', async () => {
    const theirs = expectOk(
      await call('CreateAudienceProfile', { organizationId: b.organization.id, ...azure() }, b.admin.token),
    ).audienceProfile;
    const unknown = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
    for (const id of [theirs.id, unknown]) {
      const response = await call('UpdateAudienceProfile', { audienceProfileId: id, lifetimeSeconds: 60 });
      expect(response.body).toEqual({ code: 'not_found', message: `audience profile ${id} not found` });
    }
    expect(
      expectOk(await call('ListAudienceProfiles', { organizationId: a.organization.id })).audienceProfiles,
    ).toEqual([]);
  });

  it.each([
    [{ name: 'x', audiences: ['*'] }, 'audiences[0]: must contain a character besides "*"'],
    [
      { name: 'x', audiences: ['a'], lifetimeSeconds: 7200 },
      'lifetimeSeconds: must be a whole number of seconds from 60 to 3600',
    ],
    [
      { name: 'x', audiences: ['a'], signingAlgorithm: 'HS256' },
      'signingAlgorithm: must be one of RS256, ES256',
    ],
    [
      { name: 'x', audiences: ['api://AzureADTokenExchange'], signingAlgorithm: 'ES256' },
      'signingAlgorithm: ES256 cannot be used for audience "api://AzureADTokenExchange": Azure (Entra ID) (api://AzureADTokenExchange) verifies RS256 only',
    ],
    [
      { name: 'x', audiences: ['api://*'], signingAlgorithm: 'ES256' },
      'signingAlgorithm: ES256 cannot be used for audience "api://*"',
    ],
    [
      { name: 'x', audiences: ['a'], extraClaims: [{ name: 'iss', value: 'x' }] },
      'extraClaims[0].name: "iss" is a protocol or envid claim',
    ],
    [{ name: 'x', audiences: ['a'], oidcConfig: { v4: {} } }, 'oidcConfig: unknown member "v4"'],
    [{ audiences: ['a'] }, 'name: must be 1 to 63 lowercase letters'],
  ])('refuses %j, writing nothing', async (body, message) => {
    const before = await countRecords(server.store, 'audienceProfiles');
    const response = await create(body);
    expectError(response, 'invalid_argument', message);
    expect(await countRecords(server.store, 'audienceProfiles')).toBe(before);
  });

  it('refuses a tie with another profile and a second profile of the same name', async () => {
    expectOk(await create({ name: 'vault', audiences: ['vault-*'] }));
    const tie = await create({ name: 'other', audiences: ['*lt-dev'] });
    expectError(tie, 'invalid_argument', 'audiences[0]: "*lt-dev" ties with "vault-*" of profile "vault"');
    expectOk(await create({ name: 'vault-prod', audiences: ['vault-prod*'] }));
    const again = await create({ name: 'vault', audiences: ['elsewhere'] });
    expectError(
      again,
      'already_exists',
      'name: the organization already has an audience profile named "vault"',
    );
  });

  it('a profile that changes existing subs needs confirmSubChange, as UpdateOIDCConfig does', async () => {
    const shape = {
      name: 'gcp',
      audiences: ['//iam.googleapis.com/*'],
      oidcConfig: { v3: { extraSubFields: ['email'] } },
    };
    const refusedCreate = await create(shape);
    expectError(refusedCreate, 'failed_precondition', 'existing principal(s)');
    expect(refusedCreate.body.message).toContain('"confirmSubChange": true');
    const created = expectOk(await create({ ...shape, confirmSubChange: true })).audienceProfile;
    // Same sub fields, other lifetime: no sub moves, no confirmation.
    expectOk(await call('UpdateAudienceProfile', { audienceProfileId: created.id, lifetimeSeconds: 300 }));
    expectError(
      await call('DeleteAudienceProfile', { audienceProfileId: created.id }),
      'failed_precondition',
      'existing principal(s)',
    );
    expectOk(await call('DeleteAudienceProfile', { audienceProfileId: created.id, confirmSubChange: true }));
    const events = await server.store.auditEvents.list({
      organizationId: a.organization.id,
      kind: 'audience_profile.deleted',
    });
    expect(events.items.at(-1)!.details).toMatchObject({ subChangeConfirmed: true });
    expect(events.items.at(-1)!.details.subChanges).toBeGreaterThan(0);
  });

  it('PreviewOIDCConfig with an audience shows the profile that shapes its tokens, or the proposed default', async () => {
    const profile = expectOk(
      await create({
        name: 'aws',
        audiences: ['sts.amazonaws.com'],
        oidcConfig: { v3: { extraSubFields: ['email'] } },
        lifetimeSeconds: 900,
        extraClaims: [{ name: 'team', value: 'platform' }],
        confirmSubChange: true,
      }),
    ).audienceProfile;
    const preview = (audience?: string[]) =>
      call('PreviewOIDCConfig', {
        organizationId: a.organization.id,
        oidcConfig: { v3: { extraSubFields: ['runner_name'] } },
        ...(audience ? { audience } : {}),
      });
    const shaped = expectOk(await preview(['sts.amazonaws.com']));
    expect(shaped.audienceProfile).toEqual({
      id: profile.id,
      name: 'aws',
      version: 1,
      oidcConfig: { v3: { extraSubFields: ['email'] } },
      lifetimeSeconds: 900,
      signingAlgorithm: 'RS256',
    });
    const user = shaped.principals.find((p: { principal: string }) => p.principal === 'user');
    expect(user.sub).toMatch(/:email:/);
    expect(user.claims.team).toBe('platform');

    for (const plain of [await preview(['elsewhere']), await preview()]) {
      const answer = expectOk(plain);
      expect(answer).not.toHaveProperty('audienceProfile');
      const runner = answer.principals.find((p: { principal: string }) => p.principal === 'runner');
      expect(runner.sub).toMatch(/:runner_name:/);
      expect(runner.claims).not.toHaveProperty('team');
    }
    expectError(
      await preview(['sts.amazonaws.com', 'elsewhere']),
      'invalid_argument',
      'different audience profiles',
    );
    expectError(await preview([]), 'invalid_argument', 'audience: at least one audience is required');
  });
});

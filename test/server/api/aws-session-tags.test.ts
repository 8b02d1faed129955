import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { Gitpod } from '@gitpod/sdk';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderAwsTrust } from '../../../src/relying-parties/aws/trust.ts';
import type { TrustPlan } from '../../../src/relying-parties/trust-plan.ts';
import { type StsStandIn, startStsStandIn } from '../../stand-ins/aws-sts.ts';
import { expectError, expectOk } from '../../support/api-expect.ts';
import { type ApiTestServer, startApiTestServer } from '../../support/api-server.ts';
import { type SeededOrganization, seedOrganizationWithPrincipals } from '../../support/principals.ts';

const tagsClaim = 'https://aws.amazon.com/tags';

/**
 * AWS session tags end to end: a profile for sts.amazonaws.com names them, envid's token carries them,
 * the STS stand-in (STS's documented rules) tags the session, but only for a role whose trust policy
 * allows sts:TagSession, and PlanTrust (what `envid idp trust aws` renders) says so.
 */
describe('AWS session tags from an audience profile, through STS', () => {
  let server: ApiTestServer;
  let a: SeededOrganization;
  let base = '';
  let sts: StsStandIn;
  const roleArn = (name: string) => `arn:aws:iam::123456789012:role/${name}`;

  beforeAll(async () => {
    server = await startApiTestServer('pglite', { issuer: () => base || 'http://127.0.0.1' });
    base = await server.app.listen({ port: 0, host: '127.0.0.1' });
    // STS judges token times by the real clock.
    server.clock.set(Date.now());
    a = await seedOrganizationWithPrincipals(server.store, server.clock, 'A');
    const conditions = [
      { claim: 'aud' as const, operator: 'StringEquals' as const, values: ['sts.amazonaws.com'] },
      {
        claim: 'sub' as const,
        operator: 'StringLike' as const,
        values: ['*'],
      },
    ];
    sts = await startStsStandIn({
      providers: [{ url: base, clientIds: ['sts.amazonaws.com'] }],
      roles: [
        {
          arn: roleArn('tagged'),
          trustedIssuer: base,
          conditions,
          actions: ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession'],
        },
        { arn: roleArn('untagged'), trustedIssuer: base, conditions },
      ],
    });
  });
  afterAll(async () => {
    await sts?.close();
    await server?.close();
  });

  const call = (method: string, body: unknown) =>
    server.call(`OrganizationService/${method}`, body, a.admin.token);
  const assume = (role: string, token: string) =>
    new STSClient({
      region: 'us-east-1',
      endpoint: sts.url,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    }).send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: roleArn(role),
        RoleSessionName: 'envid-test',
        WebIdentityToken: token,
      }),
    );
  const environmentToken = async () => {
    const client = new Gitpod({ bearerToken: a.environment.token, baseURL: `${base}/api`, maxRetries: 0 });
    return (await client.identity.getIDToken({ audience: ['sts.amazonaws.com'] })).token!;
  };

  it("refuses tags beyond AWS's limits when the profile is saved, writing nothing", async () => {
    const refused = [
      [{ principalTags: { 'aws:x': 'project_id' } }, 'reserved by AWS'],
      [
        { principalTags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`t${i}`, 'project_id'])) },
        'at most 50',
      ],
      [{ principalTags: { ['k'.repeat(129)]: 'project_id' } }, 'longer than 128'],
      [{ principalTags: { project: 'no_such_field' } }, 'is not an allowed field'],
    ] as const;
    for (const [awsSessionTags, message] of refused) {
      const response = await call('CreateAudienceProfile', {
        organizationId: a.organization.id,
        name: 'aws',
        audiences: ['sts.amazonaws.com'],
        awsSessionTags,
        confirmSubChange: true,
      });
      expectError(response, 'invalid_argument', message);
    }
    expect(await server.store.audienceProfiles.count({ organizationId: a.organization.id })).toBe(0);
  });

  it('the token carries the tags; STS tags the session only for a role that allows sts:TagSession', async () => {
    // Before any profile: no tags claim, and either role assumes.
    const plain = await environmentToken();
    expect(decodeJwt(plain)).not.toHaveProperty(tagsClaim);
    await assume('untagged', plain);

    const created = expectOk(
      await call('CreateAudienceProfile', {
        organizationId: a.organization.id,
        name: 'aws',
        audiences: ['sts.amazonaws.com'],
        awsSessionTags: {
          principalTags: {
            organization_id: 'organization_id',
            project_id: 'project_id',
            environment: 'environment_id',
          },
          transitiveTagKeys: ['project_id', 'environment'],
        },
        confirmSubChange: true,
      }),
    );
    expect(created.audienceProfile.awsSessionTags.transitiveTagKeys).toEqual(['project_id', 'environment']);
    server.clock.set(Date.now());
    const token = await environmentToken();
    const environment = a.environment.environment;
    // This environment has no project: its project_id tag (and that transitive key) is left out.
    expect(environment.projectId).toBeUndefined();
    expect(decodeJwt(token)[tagsClaim]).toEqual({
      principal_tags: { organization_id: [a.organization.id], environment: [environment.id] },
      transitive_tag_keys: ['environment'],
    });

    await expect(assume('untagged', token)).rejects.toThrow('Not authorized to perform sts:TagSession');
    const answer = await assume('tagged', token);
    expect(answer.PackedPolicySize).toBeGreaterThan(0);
    expect(sts.sessions.at(-1)).toEqual({
      arn: `arn:aws:sts::123456789012:assumed-role/tagged/envid-test`,
      tags: {
        organization_id: a.organization.id,
        environment: environment.id,
      },
      transitiveTagKeys: ['environment'],
    });
  });

  it("PlanTrust for STS's audience names the profile and its tags, and the trust policy allows sts:TagSession", async () => {
    const planned = expectOk(
      await server.call(
        'TrustService/PlanTrust',
        { organizationId: a.organization.id, scope: 'organization', audience: 'sts.amazonaws.com' },
        a.admin.token,
      ),
    ) as TrustPlan;
    expect(planned.audienceProfile?.name).toBe('aws');
    expect(planned.awsSessionTagKeys?.sort()).toEqual(['environment', 'organization_id', 'project_id']);
    const policy = renderAwsTrust(planned, { accountId: '123456789012' }).documents as {
      trustPolicy: { Statement: { Action: unknown }[] };
    };
    expect(policy.trustPolicy.Statement[0]!.Action).toEqual([
      'sts:AssumeRoleWithWebIdentity',
      'sts:TagSession',
    ]);

    // Another audience: no profile, no tags, the single action as before.
    const other = expectOk(
      await server.call(
        'TrustService/PlanTrust',
        { organizationId: a.organization.id, scope: 'organization', audience: 'other.example' },
        a.admin.token,
      ),
    ) as TrustPlan;
    expect(other.audienceProfile).toBeUndefined();
    const untagged = renderAwsTrust(other, { accountId: '123456789012' }).documents as {
      trustPolicy: { Statement: { Action: unknown }[] };
    };
    expect(untagged.trustPolicy.Statement[0]!.Action).toBe('sts:AssumeRoleWithWebIdentity');
  });

  it('an update without tags removes them from the next token', async () => {
    const [profile] = (await server.store.audienceProfiles.list({ organizationId: a.organization.id })).items;
    expectOk(
      await call('UpdateAudienceProfile', {
        audienceProfileId: profile!.id,
        awsSessionTags: null,
        confirmSubChange: true,
      }),
    );
    server.clock.set(Date.now());
    expect(decodeJwt(await environmentToken())).not.toHaveProperty(tagsClaim);
  });
});

import { createLocalJWKSet, type JWTPayload, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forwardedClaimsOf } from '../../src/core/sso/forwarded-claims.ts';
import { splitSub } from '../../src/core/tokens/sub-encoding.ts';
import { applySignInClaims } from '../../src/services/sso-claims.ts';
import { type ApiTestServer, startApiTestServer, testIssuer } from '../support/api-server.ts';
import { engines } from '../support/databases.ts';
import {
  createOrganizationFixture,
  createRunnerFixture,
  type OrganizationFixture,
  type Principal,
} from '../support/org-fixtures.ts';

/**
 * Forwarded SSO claims end to end through the API: what a sign-in forwards lands in the user's tokens
 * and in the environments it creates (and in `sub`, as the sub rules say), and a later sign-in that
 * drops a claim removes it from the user's next token.
 */
describe.each(engines)('forwarded SSO claims in tokens on %s', (engine) => {
  let server: ApiTestServer;
  let org: OrganizationFixture;
  let runner: Principal;
  const upstreamIssuer = 'https://login.example.com/tenant:7/v2.0';
  beforeAll(async () => {
    server = await startApiTestServer(engine);
    org = await createOrganizationFixture(server.store, server.clock);
    runner = await createRunnerFixture(server.store, server.clock, org.id);
    const configured = await server.call(
      'OrganizationService/UpdateOIDCConfig',
      {
        organizationId: org.id,
        oidcConfig: {
          v3: {
            extraSubFields: [
              'idp_claims.department',
              'idp_claims.groups',
              'creator_idp_claims.department',
              'creator_idp_claims.groups',
            ],
          },
        },
        confirmSubChange: true,
      },
      org.admin.token,
    );
    expect(configured.status, JSON.stringify(configured.body)).toBe(200);
  });
  afterAll(() => server.close());

  /** An upstream ID token's claims, as a sign-in would have verified them. */
  const upstream = (groups: string[] | undefined, department: string) => ({
    iss: upstreamIssuer,
    sub: 'upstream-subject-1',
    aud: 'envid',
    nonce: 'n-1',
    exp: 2_000_000_000,
    email_verified: true,
    department,
    ...(groups ? { groups } : {}),
    access_token: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln',
  });
  const forward = ['groups', 'department', 'sub', 'nonce', 'access_token', 'email_verified'];
  const signIn = (groups: string[] | undefined, department: string) =>
    applySignInClaims(server.store, server.clock, {
      userId: org.member.id,
      issuer: upstreamIssuer,
      claims: forwardedClaimsOf(upstream(groups, department), forward),
    });

  const verifiedToken = async (credential: string): Promise<JWTPayload> => {
    const issued = await server.call(
      'IdentityService/GetIDToken',
      { audience: ['sts.amazonaws.com'] },
      credential,
    );
    expect(issued.status, JSON.stringify(issued.body)).toBe(200);
    const jwks = (await server.app.inject('/.well-known/jwks.json')).json();
    const { payload } = await jwtVerify(issued.body.token, createLocalJWKSet(jwks), {
      issuer: testIssuer,
      audience: 'sts.amazonaws.com',
      currentDate: server.clock.now(),
    });
    return payload;
  };
  const createEnvironmentToken = async (): Promise<string> => {
    const created = await server.call(
      'EnvironmentService/CreateEnvironment',
      { spec: { machine: { class: runner.id } } },
      org.member.token,
    );
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const access = await server.call(
      'EnvironmentService/CreateEnvironmentAccessToken',
      { environmentId: created.body.environment.id },
      org.member.token,
    );
    expect(access.status, JSON.stringify(access.body)).toBe(200);
    return access.body.accessToken as string;
  };

  it('forwards the configured claims into user and environment tokens and into sub, and drops them at the next sign-in', async () => {
    await signIn(['envid-users', 'ops'], 'R&D:tools 50%');
    const user = await verifiedToken(org.member.token);
    expect(user.idp).toBe(upstreamIssuer);
    expect(user.idp_claims).toStrictEqual({ groups: ['envid-users', 'ops'], department: 'R&D:tools 50%' });
    // The list is left out of sub (not a string); the string is percent-encoded.
    expect(user.sub).toBe(
      `organization_id:${org.id}:user_id:${org.member.id}:idp_claims.department:R&D%3Atools 50%25`,
    );
    expect(splitSub(String(user.sub)).at(-1)).toEqual(['idp_claims.department', 'R&D:tools 50%']);

    const before = await createEnvironmentToken();
    const environment = await verifiedToken(before);
    expect(environment.creator_idp).toBe(upstreamIssuer);
    expect(environment.creator_idp_claims).toStrictEqual({
      groups: ['envid-users', 'ops'],
      department: 'R&D:tools 50%',
    });
    expect(environment.sub).toBe(`organization_id:${org.id}:creator_idp_claims.department:R&D%3Atools 50%25`);

    // The upstream no longer sends the groups and has moved the user: the next user token says so.
    await signIn(undefined, 'Ops');
    const after = await verifiedToken(org.member.token);
    expect(after.idp_claims).toStrictEqual({ department: 'Ops' });
    expect(after.sub).toBe(`organization_id:${org.id}:user_id:${org.member.id}:idp_claims.department:Ops`);
    // An environment keeps what its creator had when it was created; a new one carries today's.
    expect((await verifiedToken(before)).creator_idp_claims).toStrictEqual({
      groups: ['envid-users', 'ops'],
      department: 'R&D:tools 50%',
    });
    const later = await verifiedToken(await createEnvironmentToken());
    expect(later.creator_idp_claims).toStrictEqual({ department: 'Ops' });
    expect(later.sub).toBe(`organization_id:${org.id}:creator_idp_claims.department:Ops`);
  });

  it('a sign-in that forwards nothing leaves no idp_claims at all, never an empty object', async () => {
    await applySignInClaims(server.store, server.clock, {
      userId: org.member.id,
      issuer: upstreamIssuer,
      claims: {},
    });
    const user = await verifiedToken(org.member.token);
    expect(user.idp).toBe(upstreamIssuer);
    expect(user).not.toHaveProperty('idp_claims');
    expect(user.sub).toBe(`organization_id:${org.id}:user_id:${org.member.id}`);
  });
});

import { generateSecret } from '../../../src/core/credentials.ts';
import { issueCredential } from '../../../src/services/credentials/issue-credential.ts';
import type { ApiTestServer } from '../../support/api-server.ts';
import { closedPort } from '../../support/closed-port.ts';
import { seedOrganizationWithPrincipals, seedUser } from '../../support/principals.ts';
import type { Upstream } from '../../support/upstream-oidc.ts';

/**
 * What the fuzz calls the API with: two organizations with a record of every kind (made through the
 * API where it can be, so the audit log, the OIDC configuration and the invite are real too), an empty
 * third one, a user in none (whose e-mail domain organization a admits), an SSO configuration in a and
 * in b against one upstream (panva's oidc-provider on 127.0.0.1, which the harness starts), and a credential of every kind. IDs are named by what they are, so a generated call
 * reads the same (and a seed replays it) whatever UUIDs this run drew.
 */

/** The kinds of credential that authenticate. */
const authenticating = [
  'installationAdmin',
  'orgAdmin',
  'orgMember',
  'serviceAccount',
  'runner',
  'environment',
  'otherOrgAdmin',
  'otherOrgRunner',
  /** A user's account-level token (bound to no organization): the user in no organization's. */
  'account',
] as const;

/** Every kind of credential a call may carry; `none` sends no Authorization header. */
export const credentialKinds = [
  ...authenticating,
  'revoked',
  'expired',
  'stoppedEnvironment',
  'unknown',
  'malformed',
  'none',
] as const;
export type CredentialKind = (typeof credentialKinds)[number];

/** Any other kind is refused with unauthenticated whatever the call. */
export const authenticatingKinds: readonly CredentialKind[] = authenticating;

export const idNames = [
  'a.organization',
  'a.admin',
  'a.admin2',
  'a.member',
  'a.serviceAccount',
  'a.runner',
  'a.project',
  'a.environment',
  'a.projectEnvironment',
  'a.stoppedEnvironment',
  'a.deletedEnvironment',
  'a.adminPat',
  'a.memberPat',
  'a.revokedPat',
  'a.serviceAccountToken',
  'a.runnerToken',
  'a.environmentToken',
  'b.organization',
  'b.admin',
  'b.member',
  'b.serviceAccount',
  'b.runner',
  'b.project',
  'b.environment',
  'b.adminPat',
  'a.invite',
  'a.audienceProfile',
  'c.organization',
  'loneUser',
  'loneUserToken',
  'key.current',
  'key.next',
  'a.ssoConfiguration',
  'b.ssoConfiguration',
] as const;
export type IdName = (typeof idNames)[number];

export interface FuzzFixture {
  secrets: Record<Exclude<CredentialKind, 'none'>, string>;
  ids: Record<IdName, string>;
  /** When every fixture record was made (the clock stands still), for page tokens. */
  createdAt: Date;
  /**
   * The SSO upstream the configurations name, an issuer on a closed loopback port (unreachable), and
   * the upstream's client secret (which no answer may repeat).
   */
  sso: { issuer: string; unreachableIssuer: string; clientId: string; clientSecret: string };
}

export async function createFuzzFixture(server: ApiTestServer, upstream: Upstream): Promise<FuzzFixture> {
  const { store, clock } = server;
  const call = async (token: string, method: string, body: unknown) => {
    const answer = await server.call(method, body, token);
    if (answer.status !== 200) {
      throw new Error(`fixture: ${method} answered ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    return answer.body;
  };
  const admin = server.adminToken;

  const a = await seedOrganizationWithPrincipals(store, clock, 'Acme');
  const b = await seedOrganizationWithPrincipals(store, clock, 'Globex');
  const aOrg = a.organization.id;
  const aAdmin = a.admin.token;
  const admin2 = await seedUser(store, clock, aOrg, 'admin');

  const initializer = {
    specs: [
      {
        git: { remoteUri: 'https://github.com/acme/app.git', upstreamRemoteUri: 'git@github.com:up/app.git' },
      },
      { contextUrl: { url: 'https://github.com/acme/app/pull/1' } },
    ],
  };
  const { project } = await call(aAdmin, 'ProjectService/CreateProject', { name: 'app', initializer });
  const spec = { machine: { class: a.runner.runner.id } };
  const { environment: projectEnvironment } = await call(
    a.member.token,
    'EnvironmentService/CreateEnvironmentFromProject',
    { projectId: project.id, spec },
  );
  const { environment: stopped } = await call(aAdmin, 'EnvironmentService/CreateEnvironment', {
    spec: { ...spec, desiredPhase: 'ENVIRONMENT_PHASE_STOPPED' },
  });
  const stoppedToken = await call(aAdmin, 'EnvironmentService/CreateEnvironmentAccessToken', {
    environmentId: stopped.id,
  });
  const { environment: deleted } = await call(aAdmin, 'EnvironmentService/CreateEnvironment', { spec });
  await call(aAdmin, 'EnvironmentService/DeleteEnvironment', { environmentId: deleted.id });
  const environmentToken = await call(aAdmin, 'EnvironmentService/CreateEnvironmentAccessToken', {
    environmentId: a.environment.environment.id,
  });
  const runnerToken = await call(aAdmin, 'RunnerService/CreateRunnerToken', {
    runnerId: a.runner.runner.id,
    description: 'second',
  });
  const serviceAccountToken = await call(aAdmin, 'ServiceAccountService/CreateServiceAccountToken', {
    serviceAccountId: a.serviceAccount.serviceAccount.id,
    description: 'ci',
    validFor: '86400s',
  });
  const memberPat = await call(a.member.token, 'UserService/CreatePersonalAccessToken', {
    organizationId: aOrg,
    description: 'laptop',
  });
  const revokedPat = await call(a.member.token, 'UserService/CreatePersonalAccessToken', {
    organizationId: aOrg,
    description: 'old laptop',
  });
  await call(aAdmin, 'UserService/DeletePersonalAccessToken', {
    personalAccessTokenId: revokedPat.personalAccessToken.id,
  });
  const expired = await issueCredential(store, clock, {
    principalKind: 'user',
    principalId: a.member.user.id,
    organizationId: aOrg,
    description: 'expired',
    expiresAt: new Date(clock.now().getTime() - 3600_000),
  });
  await call(aAdmin, 'OrganizationService/UpdateOIDCConfig', {
    organizationId: aOrg,
    oidcConfig: { v3: { extraSubFields: ['environment_initializers.git.remote_uri', 'runner_name'] } },
    confirmSubChange: true,
  });
  for (const token of [a.environment.token, a.runner.token, a.serviceAccount.token, a.member.token]) {
    await call(token, 'IdentityService/GetIDToken', { audience: ['sts.amazonaws.com'] });
  }
  const { user: loneUser } = await call(admin, 'UserService/CreateUser', {
    email: 'lone@example.com',
    name: 'Lone',
  });
  const account = await call(admin, 'UserService/CreatePersonalAccessToken', {
    userId: loneUser.id,
    description: 'account',
  });
  await call(aAdmin, 'OrganizationService/UpdateOrganization', {
    organizationId: aOrg,
    inviteDomains: { domains: ['example.com'] },
  });
  const { invite } = await call(aAdmin, 'OrganizationService/CreateOrganizationInvite', {
    organizationId: aOrg,
  });
  const { audienceProfile } = await call(aAdmin, 'OrganizationService/CreateAudienceProfile', {
    organizationId: aOrg,
    name: 'vault',
    audiences: ['https://vault.example.com/*'],
    lifetimeSeconds: 900,
    extraClaims: [{ name: 'project', from: 'project_id' }],
    confirmSubChange: true,
  });
  const { organization: empty } = await call(admin, 'OrganizationService/CreateOrganization', {
    name: 'Empty',
  });
  const { project: bProject } = await call(b.admin.token, 'ProjectService/CreateProject', { name: 'b' });
  const ssoConfigurationIn = async (organizationId: string, token: string) => {
    const { ssoConfiguration } = await call(token, 'OrganizationService/CreateSSOConfiguration', {
      organizationId,
      issuerUrl: upstream.issuer,
      clientId: upstream.client.id,
      clientSecret: upstream.client.secret,
      emailDomain: 'acme.example',
      additionalScopes: ['groups'],
      forwardedClaims: ['groups'],
      claimsExpression: '"envid-users" in claims.groups',
    });
    return ssoConfiguration.id as string;
  };
  const aSso = await ssoConfigurationIn(aOrg, aAdmin);
  const bSso = await ssoConfigurationIn(b.organization.id, b.admin.token);
  const { keys } = await call(admin, 'SigningKeyService/ListSigningKeys', {});
  const keyIn = (state: string) => keys.find((key: { state: string }) => key.state === state).keyId;

  return {
    createdAt: clock.now(),
    sso: {
      issuer: upstream.issuer,
      unreachableIssuer: `http://127.0.0.1:${await closedPort()}`,
      clientId: upstream.client.id,
      clientSecret: upstream.client.secret,
    },
    secrets: {
      installationAdmin: admin,
      orgAdmin: aAdmin,
      orgMember: a.member.token,
      serviceAccount: a.serviceAccount.token,
      runner: a.runner.token,
      environment: a.environment.token,
      otherOrgAdmin: b.admin.token,
      otherOrgRunner: b.runner.token,
      account: account.token,
      revoked: revokedPat.token,
      expired: expired.secret,
      stoppedEnvironment: stoppedToken.accessToken,
      unknown: generateSecret('user'),
      malformed: 'envid_pat_not!a+real/token',
    },
    ids: {
      'a.organization': aOrg,
      'a.admin': a.admin.user.id,
      'a.admin2': admin2.user.id,
      'a.member': a.member.user.id,
      'a.serviceAccount': a.serviceAccount.serviceAccount.id,
      'a.runner': a.runner.runner.id,
      'a.project': project.id,
      'a.environment': a.environment.environment.id,
      'a.projectEnvironment': projectEnvironment.id,
      'a.stoppedEnvironment': stopped.id,
      'a.deletedEnvironment': deleted.id,
      'a.adminPat': a.admin.credential.id,
      'a.memberPat': memberPat.personalAccessToken.id,
      'a.revokedPat': revokedPat.personalAccessToken.id,
      'a.serviceAccountToken': serviceAccountToken.serviceAccountToken.id,
      'a.runnerToken': runnerToken.tokenId,
      'a.environmentToken': environmentToken.tokenId,
      'b.organization': b.organization.id,
      'b.admin': b.admin.user.id,
      'b.member': b.member.user.id,
      'b.serviceAccount': b.serviceAccount.serviceAccount.id,
      'b.runner': b.runner.runner.id,
      'b.project': bProject.id,
      'b.environment': b.environment.environment.id,
      'b.adminPat': b.admin.credential.id,
      'a.invite': invite.inviteId,
      'a.audienceProfile': audienceProfile.id,
      'c.organization': empty.id,
      loneUser: loneUser.id,
      loneUserToken: account.personalAccessToken.id,
      'key.current': keyIn('current'),
      'key.next': keyIn('next'),
      'a.ssoConfiguration': aSso,
      'b.ssoConfiguration': bSso,
    },
  };
}

/** The IDs of organization a's records: another organization's credential must never be answered one. */
export const organizationAIds = (fixture: FuzzFixture): string[] =>
  Object.entries(fixture.ids)
    .filter(([name]) => name.startsWith('a.'))
    .map(([, id]) => id);

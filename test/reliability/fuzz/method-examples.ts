import type { CredentialKind, FuzzFixture } from './fuzz-fixture.ts';

/**
 * One valid call of every API method, on the fuzz's fixture: the fuzz checks that each succeeds, then
 * mutates it (so mutations start from a call that reaches the method's handler) and sends it with
 * every other credential. A method the server registers without an example here (or a reason in
 * `methodsNotFuzzed`) fails the fuzz, so a new method cannot go unfuzzed.
 */

export interface MethodExample {
  as: CredentialKind;
  body: Record<string, unknown>;
}

/** `fixture` for what is not an ID (the SSO upstream's issuer). */
type Example = (ids: FuzzFixture['ids'], fixture: FuzzFixture) => MethodExample;

const initializer = { specs: [{ git: { remoteUri: 'https://github.com/acme/web.git' } }] };

export const methodExamples: Record<string, Example> = {
  'IdentityService/GetAuthenticatedIdentity': () => ({ as: 'orgMember', body: {} }),
  'IdentityService/GetIDToken': () => ({
    as: 'environment',
    body: { audience: ['sts.amazonaws.com'], lifetime: '900s' },
  }),
  'ProjectService/CreateProject': () => ({ as: 'orgAdmin', body: { name: 'web', initializer } }),
  'ProjectService/GetProject': (ids) => ({ as: 'orgMember', body: { projectId: ids['a.project'] } }),
  'ProjectService/UpdateProject': (ids) => ({
    as: 'orgAdmin',
    body: {
      projectId: ids['a.project'],
      labels: { team: 'web', 'cost.center': '42%:x' },
      removeLabels: ['old'],
    },
  }),
  'ProjectService/ListProjects': () => ({ as: 'orgMember', body: { pagination: { pageSize: 1 } } }),
  'ProjectService/DeleteProject': (ids) => ({
    as: 'orgAdmin',
    body: { projectId: ids['a.project'], force: true },
  }),
  'RunnerService/CreateRunner': () => ({ as: 'orgAdmin', body: { name: 'eu-2' } }),
  'RunnerService/GetRunner': (ids) => ({ as: 'runner', body: { runnerId: ids['a.runner'] } }),
  'RunnerService/ListRunners': () => ({ as: 'orgMember', body: {} }),
  'RunnerService/DeleteRunner': (ids) => ({
    as: 'orgAdmin',
    body: { runnerId: ids['a.runner'], force: true },
  }),
  'RunnerService/CreateRunnerToken': (ids) => ({
    as: 'orgAdmin',
    body: { runnerId: ids['a.runner'], description: 'ci' },
  }),
  'RunnerService/ListRunnerTokens': (ids) => ({ as: 'orgAdmin', body: { runnerId: ids['a.runner'] } }),
  'RunnerService/RevokeRunnerToken': (ids) => ({
    as: 'orgAdmin',
    body: { runnerId: ids['a.runner'], tokenId: ids['a.runnerToken'] },
  }),
  'EnvironmentService/CreateEnvironment': (ids) => ({
    as: 'serviceAccount',
    body: { spec: { machine: { class: ids['a.runner'] }, content: { initializer } } },
  }),
  'EnvironmentService/CreateEnvironmentFromProject': (ids) => ({
    as: 'orgMember',
    body: { projectId: ids['a.project'], spec: { machine: { class: ids['a.runner'] } } },
  }),
  'EnvironmentService/GetEnvironment': (ids) => ({
    as: 'environment',
    body: { environmentId: ids['a.environment'] },
  }),
  'EnvironmentService/UpdateEnvironment': (ids) => ({
    as: 'orgAdmin',
    body: { environmentId: ids['a.environment'], labels: { tier: 'ci' }, removeLabels: ['old'] },
  }),
  'EnvironmentService/ListEnvironments': (ids) => ({
    as: 'orgMember',
    body: { filter: { projectIds: [ids['a.project']], statusPhases: ['ENVIRONMENT_PHASE_RUNNING'] } },
  }),
  'EnvironmentService/StartEnvironment': (ids) => ({
    as: 'runner',
    body: { environmentId: ids['a.stoppedEnvironment'] },
  }),
  'EnvironmentService/StopEnvironment': (ids) => ({
    as: 'orgMember',
    body: { environmentId: ids['a.projectEnvironment'] },
  }),
  'EnvironmentService/DeleteEnvironment': (ids) => ({
    as: 'orgAdmin',
    body: { environmentId: ids['a.environment'] },
  }),
  'EnvironmentService/CreateEnvironmentAccessToken': (ids) => ({
    as: 'runner',
    body: { environmentId: ids['a.environment'] },
  }),
  'EnvironmentService/ListEnvironmentAccessTokens': (ids) => ({
    as: 'orgAdmin',
    body: { environmentId: ids['a.environment'] },
  }),
  'EnvironmentService/RevokeEnvironmentAccessToken': (ids) => ({
    as: 'orgAdmin',
    body: { environmentId: ids['a.environment'], tokenId: ids['a.environmentToken'] },
  }),
  'SigningKeyService/ListSigningKeys': () => ({ as: 'installationAdmin', body: {} }),
  'SigningKeyService/RotateSigningKeys': () => ({ as: 'installationAdmin', body: {} }),
  'SigningKeyService/RevokeSigningKey': (ids) => ({
    as: 'installationAdmin',
    body: { keyId: ids['key.next'] },
  }),
  'OrganizationService/CreateOrganization': () => ({ as: 'installationAdmin', body: { name: 'Initech' } }),
  'OrganizationService/GetOrganization': (ids) => ({
    as: 'orgMember',
    body: { organizationId: ids['a.organization'] },
  }),
  'OrganizationService/ListOrganizations': () => ({
    as: 'installationAdmin',
    body: { pagination: { pageSize: 2 } },
  }),
  'OrganizationService/DeleteOrganization': (ids) => ({
    as: 'installationAdmin',
    body: { organizationId: ids['c.organization'] },
  }),
  'OrganizationService/GetOIDCConfig': (ids) => ({
    as: 'orgMember',
    body: { organizationId: ids['a.organization'] },
  }),
  'OrganizationService/UpdateOIDCConfig': (ids) => ({
    as: 'orgAdmin',
    body: {
      organizationId: ids['a.organization'],
      oidcConfig: { v3: { extraSubFields: ['environment_initializers.git.remote_uri', 'creator_email'] } },
      confirmSubChange: true,
    },
  }),
  'OrganizationService/PreviewOIDCConfig': (ids) => ({
    as: 'orgAdmin',
    body: { organizationId: ids['a.organization'], oidcConfig: { v2: {} } },
  }),
  'OrganizationService/CreateSSOConfiguration': (ids, fixture) => ({
    as: 'orgAdmin',
    body: {
      organizationId: ids['a.organization'],
      issuerUrl: fixture.sso.issuer,
      // The fixture's configuration uses the upstream's client `envid`; one per client.
      clientId: 'other',
      clientSecret: 'another-upstream-secret-0123456789',
      emailDomain: 'acme.example',
      emailDomains: ['acme-corp.example'],
      state: 'SSO_CONFIGURATION_STATE_INACTIVE',
      additionalScopes: ['groups'],
      forwardedClaims: ['groups', 'preferred_username'],
      claimsExpression: 'claims.email.endsWith("@acme.example")',
    },
  }),
  'OrganizationService/GetSSOConfiguration': (ids) => ({
    as: 'orgMember',
    body: { ssoConfigurationId: ids['a.ssoConfiguration'] },
  }),
  'OrganizationService/UpdateSSOConfiguration': (ids) => ({
    as: 'orgAdmin',
    body: {
      ssoConfigurationId: ids['a.ssoConfiguration'],
      clientSecret: 'rotated-secret-0123456789',
      emailDomains: ['acme.example', 'acme-corp.example'],
      forwardedClaims: ['groups', 'preferred_username'],
      claimsExpression: '',
      state: 'SSO_CONFIGURATION_STATE_INACTIVE',
    },
  }),
  'OrganizationService/DeleteSSOConfiguration': (ids) => ({
    as: 'orgAdmin',
    body: { ssoConfigurationId: ids['a.ssoConfiguration'] },
  }),
  'OrganizationService/CreateAudienceProfile': (ids) => ({
    as: 'orgAdmin',
    body: {
      organizationId: ids['a.organization'],
      name: 'aws',
      audiences: ['sts.amazonaws.com', 'aws-*'],
      oidcConfig: { v3: { extraSubFields: ['project_id'] } },
      lifetimeSeconds: 600,
      signingAlgorithm: 'RS256',
      extraClaims: [
        { name: 'team', value: 'platform' },
        { name: 'project', from: 'project_id' },
      ],
      confirmSubChange: true,
    },
  }),
  'OrganizationService/GetAudienceProfile': (ids) => ({
    as: 'orgAdmin',
    body: { audienceProfileId: ids['a.audienceProfile'] },
  }),
  'OrganizationService/ListAudienceProfiles': (ids) => ({
    as: 'orgAdmin',
    body: { organizationId: ids['a.organization'], pagination: { pageSize: 1 } },
  }),
  'OrganizationService/UpdateAudienceProfile': (ids) => ({
    as: 'orgAdmin',
    body: {
      audienceProfileId: ids['a.audienceProfile'],
      audiences: ['https://vault.example.com/*', 'vault-*'],
      lifetimeSeconds: 300,
      confirmSubChange: true,
    },
  }),
  'OrganizationService/DeleteAudienceProfile': (ids) => ({
    as: 'orgAdmin',
    body: { audienceProfileId: ids['a.audienceProfile'], confirmSubChange: true },
  }),
  'OrganizationService/ListSSOConfigurations': (ids) => ({
    as: 'orgMember',
    body: { organizationId: ids['a.organization'], pagination: { pageSize: 1 } },
  }),
  'TrustService/PlanTrust': (ids) => ({
    as: 'orgAdmin',
    body: { scope: 'project', id: ids['a.project'] },
  }),
  'AuditService/ListAuditEvents': (ids) => ({
    as: 'orgAdmin',
    body: {
      organizationId: ids['a.organization'],
      filter: { kinds: ['token.issued', 'oidc_config.updated'], from: '2026-01-01T00:00:00Z' },
      pagination: { pageSize: 2 },
    },
  }),
  'OrganizationService/ListMembers': (ids) => ({
    as: 'orgMember',
    body: { organizationId: ids['a.organization'] },
  }),
  'OrganizationService/UpdateOrganization': (ids) => ({
    as: 'orgAdmin',
    body: {
      organizationId: ids['a.organization'],
      name: 'Acme Corp',
      inviteDomains: { domains: ['acme.example'] },
    },
  }),
  'OrganizationService/CreateOrganizationInvite': (ids) => ({
    as: 'orgAdmin',
    body: { organizationId: ids['a.organization'] },
  }),
  'OrganizationService/GetOrganizationInvite': (ids) => ({
    as: 'orgAdmin',
    body: { organizationId: ids['a.organization'] },
  }),
  'OrganizationService/GetOrganizationInviteSummary': (ids) => ({
    as: 'account',
    body: { inviteId: ids['a.invite'] },
  }),
  'OrganizationService/JoinOrganization': (ids) => ({ as: 'account', body: { inviteId: ids['a.invite'] } }),
  'OrganizationService/LeaveOrganization': (ids) => ({ as: 'orgMember', body: { userId: ids['a.member'] } }),
  'OrganizationService/AddMember': (ids) => ({
    as: 'installationAdmin',
    body: { organizationId: ids['a.organization'], userId: ids.loneUser, role: 'ORGANIZATION_ROLE_MEMBER' },
  }),
  'OrganizationService/SetRole': (ids) => ({
    as: 'orgAdmin',
    body: { organizationId: ids['a.organization'], userId: ids['a.member'], role: 'ORGANIZATION_ROLE_ADMIN' },
  }),
  'OrganizationService/RemoveMember': (ids) => ({
    as: 'orgAdmin',
    body: { organizationId: ids['a.organization'], userId: ids['a.admin2'] },
  }),
  'UserService/CreateUser': () => ({
    as: 'installationAdmin',
    body: { email: 'grace@acme.example', name: 'Grace' },
  }),
  'UserService/GetUser': (ids) => ({ as: 'orgMember', body: { userId: ids['a.admin'] } }),
  'UserService/ListUsers': () => ({ as: 'installationAdmin', body: {} }),
  'UserService/DeleteUser': (ids) => ({ as: 'installationAdmin', body: { userId: ids.loneUser } }),
  'UserService/GetAuthenticatedUser': () => ({ as: 'orgMember', body: {} }),
  'UserService/CreatePersonalAccessToken': (ids) => ({
    as: 'orgMember',
    body: { organizationId: ids['a.organization'], description: 'laptop', validFor: '86400s' },
  }),
  'UserService/GetPersonalAccessToken': (ids) => ({
    as: 'orgAdmin',
    body: { personalAccessTokenId: ids['a.memberPat'] },
  }),
  'UserService/ListPersonalAccessTokens': (ids) => ({
    as: 'orgAdmin',
    body: { filter: { userIds: [ids['a.member']] } },
  }),
  'UserService/DeletePersonalAccessToken': (ids) => ({
    as: 'orgMember',
    body: { personalAccessTokenId: ids['a.memberPat'] },
  }),
  'ServiceAccountService/CreateServiceAccount': () => ({ as: 'orgAdmin', body: { name: 'deploy' } }),
  'ServiceAccountService/GetServiceAccount': (ids) => ({
    as: 'serviceAccount',
    body: { serviceAccountId: ids['a.serviceAccount'] },
  }),
  'ServiceAccountService/ListServiceAccounts': () => ({ as: 'orgMember', body: {} }),
  'ServiceAccountService/DeleteServiceAccount': (ids) => ({
    as: 'orgAdmin',
    body: { serviceAccountId: ids['a.serviceAccount'] },
  }),
  'ServiceAccountService/CreateServiceAccountToken': (ids) => ({
    as: 'orgAdmin',
    body: { serviceAccountId: ids['a.serviceAccount'], description: 'ci', expiresAt: '2027-01-01T00:00:00Z' },
  }),
  'ServiceAccountService/ListServiceAccountTokens': (ids) => ({
    as: 'orgMember',
    body: { serviceAccountId: ids['a.serviceAccount'] },
  }),
  'ServiceAccountService/RevokeServiceAccountToken': (ids) => ({
    as: 'orgAdmin',
    body: { serviceAccountTokenId: ids['a.serviceAccountToken'] },
  }),
};

/**
 * Registered methods the fuzz leaves alone, each with the reason. Keep it short: a method belongs here
 * only while calling it from a test would harm the machine running it, or while the fixture lacks what
 * its success needs. None today: the SSO methods are fuzzed against the fixture's upstream (an
 * oidc-provider on 127.0.0.1), and generated issuers never leave the machine (loopback-fetch.ts).
 */
export const methodsNotFuzzed: Record<string, string> = {};

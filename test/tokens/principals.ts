import type { TokenSubject } from '../../src/core/tokens/token-subject.ts';
import type { Environment, Project, Runner, ServiceAccount, User } from '../../src/store/records.ts';

/** Fixed records for token tests: every principal kind, with and without project and SSO. */
export const orgId = '0b5c5f0e-5a4b-4e8e-9b55-6a0c4f1d2e01';
const created = new Date(Date.UTC(2026, 0, 1));

export const ssoUser: User = {
  id: '1d7e2a10-3c4b-4d5e-8f60-7a8b9c0d1e02',
  email: 'ada@example.com',
  name: 'Ada Lovelace',
  emailVerified: true,
  idp: 'https://sso.example.com/',
  idpClaims: { department: 'engines:analytical', groups: ['eng', 'ops'] },
  createdAt: created,
};

export const plainUser: User = {
  id: '2e8f3b21-4d5c-4e6f-9071-8b9cad1e2f03',
  email: 'grace@example.com',
  name: 'Grace Hopper',
  emailVerified: true,
  createdAt: created,
};

export const serviceAccount: ServiceAccount = {
  id: '3f904c32-5e6d-4f70-a182-9cadbe2f3004',
  organizationId: orgId,
  name: 'deploy-bot',
  createdAt: created,
};

export const runner: Runner = {
  id: '40a15d43-6f7e-4081-b293-adbecf304105',
  organizationId: orgId,
  name: 'eu-west runner',
  createdAt: created,
};

export const project: Project = {
  id: '51b26e54-708f-4192-83a4-becfd0415206',
  organizationId: orgId,
  name: 'backend',
  initializers: [
    { contextUrl: 'https://github.com/acme/backend/tree/main' },
    {
      git: {
        remoteUri: 'https://github.com/acme/backend.git',
        upstreamRemoteUri: 'https://github.com/up/backend.git',
      },
    },
  ],
  // Values with the sub's separator and escape character; tokens carry them only with labelClaims.
  labels: { team: 'web:core', 'cost.center': '42%' },
  createdAt: created,
};

export const projectEnvironment: Environment = {
  id: '62c37f65-8190-42a3-94b5-cfd0e1526307',
  organizationId: orgId,
  projectId: project.id,
  runnerId: runner.id,
  creatorId: ssoUser.id,
  creatorPrincipal: 'user',
  // Recorded at creation, as environment-create does.
  creatorIdp: 'https://sso.example.com/',
  creatorIdpClaims: { department: 'engines:analytical', groups: ['eng', 'ops'] },
  initializers: project.initializers,
  labels: { tier: 'ci', note: 'a:b%3A', empty: '' },
  status: 'running',
  createdAt: created,
};

export const bareEnvironment: Environment = {
  id: '73d48076-92a1-43b4-a5c6-d0e1f2637408',
  organizationId: orgId,
  runnerId: runner.id,
  creatorId: serviceAccount.id,
  creatorPrincipal: 'service_account',
  initializers: [],
  status: 'running',
  createdAt: created,
};

export const subjects = {
  projectEnvironment: {
    kind: 'environment',
    organizationId: orgId,
    environment: projectEnvironment,
    project,
    creator: { principal: 'user', user: ssoUser },
  },
  bareEnvironment: {
    kind: 'environment',
    organizationId: orgId,
    environment: bareEnvironment,
    creator: { principal: 'service_account', serviceAccount },
  },
  ssoUser: { kind: 'user', organizationId: orgId, user: ssoUser },
  plainUser: { kind: 'user', organizationId: orgId, user: plainUser },
  serviceAccount: { kind: 'service_account', serviceAccount },
  runner: { kind: 'runner', runner },
} satisfies Record<string, TokenSubject>;

/** Several extra fields: plain, dotted, forwarded SSO claims (one an array, so left out), a repeat. */
export const extraFields = [
  'environment_initializers.git.remote_uri',
  'environment_initializers.context_url',
  'creator_idp_claims.department',
  'idp_claims.department',
  'idp_claims.groups',
  'creator_principal',
  'runner_name',
  'name',
  'organization_id',
];

/** Label sub fields: values with `:` and `%`, an empty one and a missing one (both left out). */
export const labelFields = [
  'project_labels.team',
  'project_labels.cost.center',
  'environment_labels.note',
  'environment_labels.empty',
  'environment_labels.absent',
];

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plainSubFields } from '../../src/core/tokens/claims.ts';
import { subjectSub, subjectSubs } from '../../src/core/tokens/compose-sub.ts';
import { buildPrincipalClaims } from '../../src/core/tokens/principal-claims.ts';
import { subFieldReader } from '../../src/core/tokens/sub-field-readers.ts';
import { resolveSubField } from '../../src/core/tokens/sub-fields.ts';
import type { TokenSubject } from '../../src/core/tokens/token-subject.ts';
import {
  computeOidcConfigWarnings,
  warningsForSubs,
} from '../../src/relying-parties/oidc-config-warnings.ts';
import { loadOrganizationSubjects } from '../../src/services/organization-subjects.ts';
import {
  newEnvironment,
  newMembership,
  newOrganization,
  newProject,
  newRunner,
  newServiceAccount,
  newUser,
} from '../../src/store/conformance/fixtures.ts';
import type { OidcConfig } from '../../src/store/records.ts';
import type { Store } from '../../src/store/store.ts';
import { engines, openTestStore } from '../support/databases.ts';
import { seedOrganization } from '../support/seed-organization.ts';

// The organization-wide preview composes subs without building claims (sub-field-readers.ts) and
// shares the keys two configurations have in common; these cases hold it to the straightforward
// composition, principal by principal, on a varied organization read back from each engine.

const idpFields = [
  'idp_claims.groups',
  'idp_claims.team',
  'idp_claims.empty',
  'idp_claims.__proto__',
  'idp_claims.constructor',
  'idp_claims.missing',
  'creator_idp_claims.groups',
  'creator_idp_claims.team',
  'creator_idp_claims.__proto__',
];
const labelFields = [
  'project_labels.team',
  'project_labels.cost.center',
  'project_labels.empty',
  'project_labels.constructor',
  'project_labels.missing',
  'environment_labels.tier',
  'environment_labels.note',
  'environment_labels.constructor',
  'environment_labels.missing',
];
const allFields = [...plainSubFields, ...idpFields, ...labelFields];
const v3 = (...extraSubFields: string[]): OidcConfig => ({ version: 'v3', extraSubFields });
const configs: OidcConfig[] = [
  v3(),
  { version: 'v2' },
  v3('environment_initializers.git.remote_uri', 'creator_email'),
  v3('creator_email', 'environment_initializers.git.remote_uri'),
  // Default keys listed again, a field every kind has, and fields only some kinds have.
  v3('organization_id', 'name', 'project_id', 'user_id', 'runner_name'),
  v3('environment_id'),
  v3('idp_claims.team', 'creator_idp_claims.team', 'email', 'creator_name', 'creator_idp'),
  v3(...allFields.slice(0, 25)),
  v3(...allFields.slice(25), ...allFields.slice(0, 3)),
  v3('project_labels.team', 'environment_labels.note', 'environment_id'),
  {
    version: 'v3',
    extraSubFields: ['environment_labels.tier', 'project_labels.cost.center'],
    labelClaims: true,
  },
];

/** The same organization shape on every engine: every kind, odd values and the fallbacks the claims make. */
async function seedVariedOrganization(store: Store): Promise<string> {
  const { organizationId } = await seedOrganization(store, {
    members: 40,
    formerMembers: 5,
    serviceAccounts: 6,
    runners: 3,
    projects: 4,
    environments: 120,
    bigProjectEnvironments: 10,
  });
  const odd = await store.users.insert(
    newUser({
      email: 'a:b%3A@example.com',
      name: 'Name: with % and :',
      idp: 'https://sso.example.com/a:b',
      idpClaims: {
        groups: ['x', 'y'],
        team: 'core:infra%',
        empty: '',
        ['__proto__']: 'proto',
        constructor: 'ctor',
      } as Record<string, string | string[]>,
    }),
  );
  await store.memberships.insert(newMembership(organizationId, odd.id));
  const bot = await store.serviceAccounts.insert(newServiceAccount(organizationId, { name: 'bot:%' }));
  const runner = await store.runners.insert(newRunner(organizationId, { name: 'runner:one%' }));
  const withGit = await store.projects.insert(
    newProject(organizationId, {
      initializers: [
        { contextUrl: 'https://example.com/ctx' },
        { git: { upstreamRemoteUri: 'https://example.com/up.git' } },
        { git: { remoteUri: 'https://example.com/a:b.git', upstreamRemoteUri: 'https://example.com/u2' } },
      ],
      labels: { team: 'core:infra%', 'cost.center': '42%3A', empty: '', constructor: 'ctor' },
    }),
  );
  const labelledOnly = await store.projects.insert(newProject(organizationId, { labels: { team: 'web' } }));
  const env = (o: Parameters<typeof newEnvironment>[2]) =>
    store.environments.insert(
      newEnvironment(organizationId, runner.id, {
        creatorId: odd.id,
        ...(odd.idp ? { creatorIdp: odd.idp } : {}),
        ...(odd.idpClaims ? { creatorIdpClaims: odd.idpClaims } : {}),
        ...o,
      }),
    );
  // Project initializers stand in for an environment's empty list, never for a non-empty one.
  await env({ projectId: withGit.id });
  await env({
    projectId: withGit.id,
    initializers: [{ git: { remoteUri: 'https://example.com/own' } }],
    labels: { tier: 'ci:1', note: '%', constructor: 'c' },
  });
  await env({ projectId: labelledOnly.id, labels: { tier: '' } });
  await env({ labels: { note: 'no project: a:b' } });
  await env({ initializers: [{ git: {} }, { contextUrl: '' }, { git: { remoteUri: '' } }] });
  await env({
    creatorId: bot.id,
    creatorPrincipal: 'service_account',
    creatorIdp: undefined,
    creatorIdpClaims: undefined,
    status: 'stopped',
  });
  // Recorded when its creator's claims were others than today's: the record is what counts.
  await env({
    creatorIdp: 'https://then.example.com/',
    creatorIdpClaims: { team: 'then:%', groups: ['old'] },
  });
  // Created by a user who had not signed in through SSO then.
  await env({ creatorIdp: undefined, creatorIdpClaims: undefined });
  return organizationId;
}

describe.each(engines)('composing an organization’s subs on %s', (engine) => {
  let store: Store;
  let dispose: () => Promise<void>;
  let subjects: TokenSubject[];
  beforeAll(async () => {
    ({ store, dispose } = await openTestStore(engine));
    await store.organizations.insert(newOrganization());
    subjects = await loadOrganizationSubjects(store, await seedVariedOrganization(store));
  });
  afterAll(() => dispose());

  it('reads every sub field as the claims give it, for every principal', () => {
    expect(new Set(subjects.map((subject) => subject.kind)).size).toBe(4);
    let present = 0;
    for (const subject of subjects) {
      const claims = buildPrincipalClaims(subject);
      for (const field of allFields) {
        const expected = resolveSubField(claims, field);
        if (expected !== undefined) present++;
        expect({ field, value: subFieldReader(subject.kind, field)(subject) }).toStrictEqual({
          field,
          value: expected,
        });
      }
    }
    // The fields are there often enough that agreeing on absent values alone cannot pass this.
    expect(present).toBeGreaterThan(subjects.length * 4);
  });

  it('gives every principal the subs and warnings of the per-principal composition, for each pair of configurations', () => {
    for (const before of configs) {
      for (const after of configs) {
        const straightforward = subjects.map((subject) => ({
          subject,
          before: subjectSub(subject, before),
          sub: subjectSub(subject, after),
        }));
        const fast = subjectSubs(subjects, before, after);
        expect(fast).toStrictEqual(straightforward);
        expect(warningsForSubs(after, fast)).toStrictEqual(computeOidcConfigWarnings(after, subjects));
      }
    }
  });
});

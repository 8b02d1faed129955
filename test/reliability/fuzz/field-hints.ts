import fc from 'fast-check';
import { plainSubFields } from '../../../src/core/tokens/claims.ts';
import type { FuzzFixture, IdName } from './fuzz-fixture.ts';
import { edgeTimes, hostileString, textUnit } from './hostile-values.ts';

/**
 * Plausible values for fields by name, where a field's schema alone says too little: which records an
 * ID field names (this organization's, the other one's, a record of the wrong kind, none), what an
 * audience, an OIDC configuration or a page token look like. A field without a hint gets what its
 * schema allows; a field whose schema allows anything (z.unknown()) must have one (checked by the fuzz).
 */

export type FieldHints = Record<string, fc.Arbitrary<unknown>>;

/** Which fixture records an ID field plausibly names, by field name (a list's name, too). */
const idFields: Record<string, IdName[]> = {
  organizationId: ['a.organization', 'b.organization', 'c.organization'],
  userId: ['a.admin', 'a.admin2', 'a.member', 'b.admin', 'b.member', 'loneUser'],
  userIds: ['a.admin', 'a.member', 'b.admin', 'loneUser'],
  projectId: ['a.project', 'b.project'],
  projectIds: ['a.project', 'b.project'],
  runnerId: ['a.runner', 'b.runner'],
  runnerIds: ['a.runner', 'b.runner'],
  class: ['a.runner', 'b.runner'],
  environmentId: [
    'a.environment',
    'a.projectEnvironment',
    'a.stoppedEnvironment',
    'a.deletedEnvironment',
    'b.environment',
  ],
  serviceAccountId: ['a.serviceAccount', 'b.serviceAccount'],
  creatorIds: ['a.member', 'a.admin', 'a.serviceAccount', 'b.admin'],
  principalId: ['a.member', 'a.runner', 'a.serviceAccount', 'a.environment', 'b.admin'],
  personalAccessTokenId: ['a.adminPat', 'a.memberPat', 'a.revokedPat', 'b.adminPat', 'loneUserToken'],
  serviceAccountTokenId: ['a.serviceAccountToken', 'a.adminPat'],
  tokenId: ['a.runnerToken', 'a.environmentToken', 'a.adminPat'],
  keyId: ['key.current', 'key.next'],
  inviteId: ['a.invite', 'a.organization'],
  ssoConfigurationId: ['a.ssoConfiguration', 'b.ssoConfiguration', 'a.organization'],
};

/** A page token as the store writes one (base64url of `[createdAt, id]`), or any JSON in its place. */
export const pageToken = (value: unknown): string =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

function pageTokens(fixture: FuzzFixture): fc.Arbitrary<string> {
  const ids = Object.values(fixture.ids);
  const at = fixture.createdAt.toISOString();
  return fc.oneof(
    fc.constantFrom(...ids).map((id) => pageToken([at, id])),
    fc.tuple(fc.constantFrom(...edgeTimes), fc.constantFrom(...ids)).map(pageToken),
    fc.tuple(hostileString, fc.oneof(fc.constantFrom(...ids), hostileString)).map(pageToken),
    fc.constantFrom(
      pageToken([]),
      pageToken({}),
      pageToken('null'),
      pageToken([at]),
      pageToken([1e300, ids[0]]),
      pageToken([at, ids[0]!.toUpperCase()]),
      pageToken([at, ids[0], 'extra']),
      pageToken('[not json'),
      '!!!not base64!!!',
      'x'.repeat(4096),
    ),
    hostileString,
  );
}

const subFieldLists = fc.oneof(
  fc.subarray([...plainSubFields]),
  fc.array(fc.constantFrom(...plainSubFields, 'idp_claims.groups', 'creator_idp_claims.team'), {
    maxLength: 55,
  }),
  fc.array(hostileString, { maxLength: 3 }),
);

const oidcConfigs = fc.oneof(
  subFieldLists.map((extraSubFields) => ({ v3: { extraSubFields } })),
  fc.constantFrom<unknown>({ v2: {} }, { v3: {} }, { v2: { extraSubFields: ['name'] } }, {}, { v4: {} }),
  fc.record({ v2: fc.constant({}), v3: fc.constant({}) }),
);

const audiences = fc.oneof(
  fc.constantFrom<unknown>(
    ['sts.amazonaws.com'],
    'api://AzureADTokenExchange',
    ['vault.hashicorp.com', 'vault.hashicorp.com'],
    [],
    [''],
    ['a b'],
    ['x'.repeat(257)],
  ),
  fc.array(fc.string({ unit: textUnit, minLength: 1, maxLength: 20 }), { minLength: 1, maxLength: 12 }),
  fc.array(hostileString, { minLength: 1, maxLength: 3 }),
);

const names = fc.oneof(
  fc.constantFrom('Acme', 'app', 'eu-2', 'ci'),
  fc.string({ unit: textUnit, maxLength: 90 }),
  hostileString,
);

export function fieldHints(fixture: FuzzFixture): FieldHints {
  const allIds = Object.values(fixture.ids);
  const ids = (named: IdName[]) =>
    fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom(...named.map((name) => fixture.ids[name])) },
      { weight: 2, arbitrary: fc.constantFrom(...allIds) },
      { weight: 1, arbitrary: fc.uuid() },
    );
  return {
    ...Object.fromEntries(Object.entries(idFields).map(([field, named]) => [field, ids(named)])),
    name: names,
    description: names,
    email: fc.oneof(
      fc.constantFrom('grace@acme.example', 'LONE@example.com', ' ada@acme.example ', 'not-an-email'),
      fc.emailAddress(),
    ),
    audience: audiences,
    version: fc.constantFrom('v3', 'v2', '', '3'),
    lifetime: fc.constantFrom<unknown>('900s', 900, '3600s', '3601s', 3601, '0s', 0, -5, '1.5s', 1.5, '900'),
    oidcConfig: oidcConfigs,
    expiresAt: fc.constantFrom(
      '2027-01-01T00:00:00Z',
      '2026-11-01T00:00:01+01:00',
      '2026-10-01T00:00:00Z',
      '2036-12-01T00:00:00Z',
      ...edgeTimes,
    ),
    validFor: fc.constantFrom('86400s', '0s', '0.5s', '0.0000000001s', '9999999999s', '316224001s', '1s'),
    from: fc.constantFrom('2026-01-01T00:00:00Z', '2026-11-01T00:00:00.000Z', ...edgeTimes),
    to: fc.constantFrom('2027-01-01T00:00:00+02:00', '2026-11-01T00:00:00Z', ...edgeTimes),
    token: pageTokens(fixture),
    pageSize: fc.constantFrom<unknown>(1, 2, 25, 100, 0, 101, 1.5, -1),
    domains: fc.oneof(
      fc.array(
        fc.constantFrom('acme.example', 'example.com', 'ACME.example', '*.acme.example', 'a@b.example', 'x.'),
        {
          maxLength: 4,
        },
      ),
      fc.array(fc.domain(), { maxLength: 51 }),
    ),
    remoteUri: fc.constantFrom(
      'https://github.com/acme/x.git',
      'git@github.com:acme/x.git',
      'x'.repeat(2049),
    ),
    upstreamRemoteUri: fc.constantFrom('https://github.com/up/x.git', 'a b'),
    url: fc.constantFrom('https://github.com/acme/app/pull/2', 'http://[::1]:8080/x', 'https://', 'ftp://x'),
    // The upstream itself; one spelled differently from its discovery document; one that does not
    // answer; ones the input check refuses. (Any other https URL would be looked up: see loopback-fetch.ts.)
    issuerUrl: fc.constantFrom(
      fixture.sso.issuer,
      `${fixture.sso.issuer}/`,
      `${fixture.sso.issuer}/tenant`,
      fixture.sso.unreachableIssuer,
      'https://login.acme.example',
      'http://login.acme.example',
      `${fixture.sso.issuer}?x=1`,
      'https://user:pass@login.acme.example',
      'x'.repeat(2049),
    ),
    clientId: fc.constantFrom(fixture.sso.clientId, 'other', '', 'x'.repeat(256)),
    clientSecret: fc.constantFrom(
      fixture.sso.clientSecret,
      'rotated-secret-0123456789',
      '',
      'x'.repeat(1025),
    ),
    emailDomain: fc.constantFrom('acme.example', 'ACME.example', '*.acme.example', 'a@b.example', ''),
    forwardedClaims: fc.oneof(
      fc.subarray(['groups', 'preferred_username', 'department', 'roles']),
      fc.constantFrom<unknown>(['iss'], ['access_token'], ['nonce', 'groups'], Array(51).fill('g')),
    ),
    claimsExpression: fc.constantFrom(
      '',
      '"envid-users" in claims.groups',
      'claims.email.endsWith("@acme.example")',
      'claims.groups.exists(g, g == "eng")',
      '1 +',
      '"x"',
      'x'.repeat(4097),
    ),
    // Audience profiles: patterns, ties, lifetimes around the limits, both algorithms, claim shapes.
    audiences: fc.oneof(
      fc.constantFrom<unknown>(
        ['sts.amazonaws.com'],
        ['aws-*', 'sts.amazonaws.com'],
        ['https://*.vault.example.com/*'],
        ['**'],
        ['*'],
        [],
        [''],
        ['x'.repeat(257)],
      ),
      fc.array(hostileString, { minLength: 1, maxLength: 3 }),
    ),
    lifetimeSeconds: fc.constantFrom<unknown>(60, 59, 600, 3600, 3601, 0, -1, 1.5, '600'),
    signingAlgorithm: fc.constantFrom<unknown>('RS256', 'ES256', 'HS256', 'none', '', 1),
    extraClaims: fc.oneof(
      fc.constantFrom<unknown>(
        [],
        [{ name: 'team', value: 'platform' }],
        [{ name: 'project', from: 'project_id' }],
        [{ name: 'sub', value: 'x' }],
        [{ name: 'iss', from: 'project_id' }],
        [{ name: 'x', from: 'no_such_field' }],
        [{ name: 'x', value: 'a', from: 'project_id' }],
        Array(21).fill({ name: 'x', value: 'y' }),
      ),
      fc.array(fc.record({ name: hostileString, value: hostileString }), { maxLength: 3 }),
    ),
    awsSessionTags: fc.constantFrom<unknown>(
      null,
      { principalTags: { project_id: 'project_id' }, transitiveTagKeys: ['project_id'] },
      { principalTags: { 'aws:x': 'project_id' } },
      { principalTags: {} },
      { principalTags: { a: 'project_id', A: 'organization_id' } },
      { principalTags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`t${i}`, 'project_id'])) },
      { principalTags: { team: 'no_such_field' }, transitiveTagKeys: ['other'] },
      'tags',
    ),
    additionalScopes: fc.oneof(
      fc.subarray(['groups', 'offline_access', 'openid']),
      fc.constantFrom<unknown>(['a b'], ['"'], Array(21).fill('s')),
    ),
  };
}

import { randomBytes, randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { AlreadyExistsError, NotFoundError } from '../errors.ts';
import type { InstallationSettings, Records } from '../records.ts';
import type { Collection, Store } from '../store.ts';
import {
  newAudienceProfile,
  newAuditEvent,
  newBrowserSession,
  newCredential,
  newEnvironment,
  newMembership,
  newOrganization,
  newOrganizationInvite,
  newProject,
  newRunner,
  newServiceAccount,
  newSigningKey,
  newSsoCliGrant,
  newSsoConfiguration,
  newSsoSignIn,
  newUser,
  newUserIdentity,
} from './fixtures.ts';
import type { GetStore } from './get-store.ts';

type Kind = keyof Records;

/** Records a child needs to exist first. */
interface Parents {
  organizationId: string;
  userId: string;
  runnerId: string;
  projectId: string;
  ssoConfigurationId: string;
}

/** One record kind: a record without its optional fields, one with all of them, and an edit. */
interface KindCase<K extends Kind> {
  kind: K;
  optional: readonly (keyof Records[K])[];
  minimal(p: Parents): Records[K];
  full(p: Parents): Records[K];
  edit(r: Records[K]): Records[K];
}

// SSO claims are stored as received: snake_case keys and URL-shaped keys must come back unchanged.
const idpClaims = {
  preferred_username: 'ada',
  given_name: 'Ada',
  groups: ['eng', 'ops'],
  empty_list: [],
  'https://example.com/claims/team_id': 'T-1',
  camelCase: 'kept',
  ünïcode_名前: 'ça va',
};

const cases: { [K in Kind]: KindCase<K> } = {
  organizations: {
    kind: 'organizations',
    optional: ['inviteDomains'],
    minimal: () => newOrganization(),
    full: () =>
      newOrganization({
        oidcConfig: { version: 'v3', extraSubFields: ['project_id', 'ide'] },
        inviteDomains: ['acme.example', 'eu.acme.example'],
      }),
    edit: (r) => ({ ...r, name: 'Renamed', oidcConfig: { version: 'v2' }, inviteDomains: ['acme.example'] }),
  },
  users: {
    kind: 'users',
    optional: ['idp', 'idpClaims'],
    minimal: () => newUser(),
    full: () => newUser({ emailVerified: false, idp: 'https://sso.example.com', idpClaims }),
    edit: (r) => ({
      ...r,
      name: 'Ada King',
      emailVerified: !r.emailVerified,
      idpClaims: { preferred_username: 'ada.king', groups: [] },
    }),
  },
  memberships: {
    kind: 'memberships',
    optional: [],
    minimal: (p) => newMembership(p.organizationId, p.userId),
    full: (p) => newMembership(p.organizationId, p.userId, { role: 'admin' }),
    edit: (r) => ({ ...r, role: r.role === 'admin' ? 'member' : 'admin' }),
  },
  organizationInvites: {
    kind: 'organizationInvites',
    optional: [],
    minimal: (p) => newOrganizationInvite(p.organizationId),
    full: (p) => newOrganizationInvite(p.organizationId, { expiresAt: new Date('2031-02-03T04:05:06.789Z') }),
    edit: (r) => ({ ...r, expiresAt: new Date('2030-12-31T23:59:59.999Z') }),
  },
  serviceAccounts: {
    kind: 'serviceAccounts',
    optional: [],
    minimal: (p) => newServiceAccount(p.organizationId),
    full: (p) => newServiceAccount(p.organizationId, { name: 'deploy bot ✓' }),
    edit: (r) => ({ ...r, name: 'renamed' }),
  },
  runners: {
    kind: 'runners',
    optional: [],
    minimal: (p) => newRunner(p.organizationId),
    full: (p) => newRunner(p.organizationId, { name: "it's a runner" }),
    edit: (r) => ({ ...r, name: 'renamed' }),
  },
  projects: {
    kind: 'projects',
    optional: ['labels'],
    minimal: (p) => newProject(p.organizationId),
    full: (p) =>
      newProject(p.organizationId, {
        initializers: [
          {
            git: {
              remoteUri: 'https://github.com/acme/website.git',
              upstreamRemoteUri: 'https://github.com/upstream/website.git',
            },
          },
          { contextUrl: 'https://github.com/acme/website/tree/main' },
          { git: {} },
        ],
        labels: { team: 'web:core', 'cost.center': '50%', empty: '' },
      }),
    edit: (r) => ({ ...r, name: 'renamed', initializers: [{ contextUrl: 'https://example.com/x' }] }),
  },
  environments: {
    kind: 'environments',
    optional: ['projectId', 'creatorIdp', 'creatorIdpClaims', 'labels'],
    minimal: (p) => newEnvironment(p.organizationId, p.runnerId),
    full: (p) =>
      newEnvironment(p.organizationId, p.runnerId, {
        projectId: p.projectId,
        creatorIdp: 'https://sso.example.com/tenant:1',
        creatorIdpClaims: idpClaims,
        creatorPrincipal: 'service_account',
        initializers: [{ git: { remoteUri: 'https://github.com/acme/website.git' } }],
        labels: { tier: 'ci' },
        status: 'stopped',
      }),
    edit: (r) => ({ ...r, status: 'deleted' }),
  },
  credentials: {
    kind: 'credentials',
    optional: ['principalId', 'organizationId', 'expiresAt', 'revokedAt'],
    minimal: () => newCredential(),
    full: (p) =>
      newCredential({
        principalKind: 'user',
        principalId: p.userId,
        organizationId: p.organizationId,
        description: 'laptop',
        expiresAt: new Date('2031-02-03T04:05:06.789Z'),
        revokedAt: new Date('2030-06-07T08:09:10.011Z'),
      }),
    edit: (r) => ({ ...r, description: 'edited', revokedAt: new Date('2030-12-31T23:59:59.999Z') }),
  },
  signingKeys: {
    kind: 'signingKeys',
    optional: ['activatedAt', 'retiredAt'],
    minimal: () => newSigningKey(),
    full: () =>
      newSigningKey({
        activatedAt: new Date('2030-02-01T00:00:00.000Z'),
        retiredAt: new Date('2030-03-01T00:00:00.000Z'),
      }),
    edit: (r) => ({ ...r, encryptedPrivateKey: 'replaced', retiredAt: new Date('2030-04-01T00:00:00.000Z') }),
  },
  auditEvents: {
    kind: 'auditEvents',
    optional: ['organizationId', 'principalKind', 'principalId', 'actorKind', 'actorId'],
    minimal: () => newAuditEvent(),
    full: (p) =>
      newAuditEvent({
        kind: 'token.issued',
        organizationId: p.organizationId,
        principalKind: 'environment',
        principalId: p.userId,
        actorKind: 'user',
        actorId: p.userId,
        // Details are stored as given: nested values, numbers, booleans, nulls, snake_case keys.
        details: {
          jti: 'abc',
          audiences: ['sts.amazonaws.com', 'api://AzureADTokenExchange'],
          iat: 1_893_456_000,
          sub_changed: false,
          before: { version: 'v3', extraSubFields: ['project_id'] },
          client_address: null,
        },
      }),
    edit: (r) => ({ ...r, details: { ...r.details, edited: true } }),
  },
  ssoConfigurations: {
    kind: 'ssoConfigurations',
    optional: [],
    minimal: (p) => newSsoConfiguration(p.organizationId),
    full: (p) =>
      newSsoConfiguration(p.organizationId, {
        emailDomains: ['acme.example', 'eu.acme.example'],
        state: 'inactive',
        claims: { 'https://example.com/claims/team': 'team' },
        additionalScopes: ['groups', 'offline_access'],
        forwardedClaims: ['groups', 'preferred_username'],
        claimsExpression: '"envid-users" in claims.groups',
      }),
    edit: (r) => ({
      ...r,
      state: 'inactive',
      emailDomains: ['other.example'],
      updatedAt: new Date(r.updatedAt.getTime() + 1),
    }),
  },
  userIdentities: {
    kind: 'userIdentities',
    optional: [],
    minimal: (p) => newUserIdentity(p.userId),
    full: (p) =>
      newUserIdentity(p.userId, {
        issuer: 'https://login.example.com/tenant/v2.0',
        subject: `AAAA-ünï-${newUserIdentity(p.userId).subject}`,
      }),
    edit: (r) => ({ ...r, subject: `${r.subject}-edited` }),
  },
  ssoSignIns: {
    kind: 'ssoSignIns',
    optional: ['cliRedirectUri', 'cliCodeChallenge', 'cliState', 'deviceGrantId'],
    minimal: (p) => newSsoSignIn(p.ssoConfigurationId),
    full: (p) =>
      newSsoSignIn(p.ssoConfigurationId, {
        returnTo: '/projects?tab=env#top',
        cliRedirectUri: 'http://127.0.0.1:49152/callback',
        cliCodeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        cliState: 'cli-state',
        deviceGrantId: 'a'.repeat(64),
      }),
    edit: (r) => ({ ...r, returnTo: '/elsewhere' }),
  },
  ssoCliGrants: {
    kind: 'ssoCliGrants',
    optional: ['userId', 'codeChallenge', 'redirectUri', 'userCodeHash', 'refusal', 'polledAt'],
    minimal: (p) => newSsoCliGrant(p.ssoConfigurationId),
    full: (p) =>
      newSsoCliGrant(p.ssoConfigurationId, {
        kind: 'loopback',
        state: 'approved',
        userId: p.userId,
        codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        redirectUri: 'http://[::1]:49152/callback',
        userCodeHash: randomBytes(32).toString('hex'),
        refusal: 'the rule said no',
        polledAt: new Date('2030-02-01T00:00:00.000Z'),
      }),
    edit: (r) => ({ ...r, state: 'denied' }),
  },
  browserSessions: {
    kind: 'browserSessions',
    optional: ['revokedAt'],
    minimal: (p) => newBrowserSession(p.userId),
    full: (p) => newBrowserSession(p.userId, { revokedAt: new Date('2030-02-01T00:00:00.000Z') }),
    edit: (r) => ({ ...r, revokedAt: new Date('2030-03-01T00:00:00.000Z') }),
  },
  installationSettings: {
    kind: 'installationSettings',
    optional: ['issuer'],
    minimal: () => newInstallationSettings(),
    full: () => newInstallationSettings({ issuer: 'https://envid.example.com' }),
    edit: (r) => ({ ...r, keyRotationDays: 0.5, updatedAt: new Date('2030-03-01T00:00:00.000Z') }),
  },
  audienceProfiles: {
    kind: 'audienceProfiles',
    optional: [],
    minimal: (p) => newAudienceProfile(p.organizationId),
    full: (p) =>
      newAudienceProfile(p.organizationId, {
        audiences: ['sts.amazonaws.com', 'aws-*', 'https://*.vault.example.com/*'],
        oidcConfig: { version: 'v2' },
        lifetimeSeconds: 900,
        signingAlgorithm: 'ES256',
        extraClaims: [
          { name: 'project', from: 'project_id' },
          { name: 'https://example.com/env', value: 'prod-ünï' },
        ],
        version: 7,
      }),
    edit: (r) => ({
      ...r,
      audiences: ['other'],
      oidcConfig: { version: 'v3', extraSubFields: ['project_id'] },
      version: r.version + 1,
      updatedAt: new Date(r.updatedAt.getTime() + 1),
    }),
  },
};

function newInstallationSettings(overrides: Partial<InstallationSettings> = {}): InstallationSettings {
  const at = new Date('2030-01-01T00:00:00.000Z');
  return {
    id: randomUUID(),
    masterKeyId: 'AAECAwQFBgc',
    keyBits: 2048,
    keyRotationDays: 30,
    createdAt: at,
    updatedAt: at,
    ...overrides,
  };
}

async function makeParents(store: Store): Promise<Parents> {
  const organization = await store.organizations.insert(newOrganization());
  const user = await store.users.insert(newUser());
  const runner = await store.runners.insert(newRunner(organization.id));
  const project = await store.projects.insert(newProject(organization.id));
  const sso = await store.ssoConfigurations.insert(newSsoConfiguration(organization.id));
  return {
    organizationId: organization.id,
    userId: user.id,
    runnerId: runner.id,
    projectId: project.id,
    ssoConfigurationId: sso.id,
  };
}

/** Removes the optional fields from a record. */
function withoutOptional<R>(record: R, optional: readonly (keyof R)[]): R {
  const copy = { ...record };
  for (const field of optional) delete copy[field];
  return copy;
}

export function testRecords(store: GetStore): void {
  for (const c of Object.values(cases) as KindCase<Kind>[]) {
    const collection = () => store()[c.kind] as unknown as Collection<Records[Kind]>;

    it(`${c.kind}: stores and reads back a record without its optional fields`, async () => {
      const record = c.minimal(await makeParents(store()));
      expect(await collection().insert(record)).toStrictEqual(record);
      const read = await collection().get(record.id);
      expect(read).toStrictEqual(record);
      for (const field of c.optional) expect(Object.keys(read)).not.toContain(field);
      expect(await collection().find(record.id)).toStrictEqual(record);
      expect((await collection().list({ id: record.id })).items).toStrictEqual([record]);
    });

    it(`${c.kind}: stores and reads back every optional field exactly`, async () => {
      const record = c.full(await makeParents(store()));
      for (const field of c.optional) expect(record[field as keyof typeof record]).toBeDefined();
      await collection().insert(record);
      expect(await collection().get(record.id)).toStrictEqual(record);
      expect(await collection().findOne({ id: record.id })).toStrictEqual(record);
    });

    it(`${c.kind}: updates by function and answers the stored record`, async () => {
      const record = await collection().insert(c.full(await makeParents(store())));
      let seen: unknown;
      const updated = await collection().update(record.id, (current) => {
        seen = current;
        return c.edit(current);
      });
      expect(seen).toStrictEqual(record);
      expect(updated).toStrictEqual(c.edit(record));
      expect(await collection().get(record.id)).toStrictEqual(c.edit(record));
    });

    it(`${c.kind}: an update that drops optional fields clears them`, async () => {
      const record = await collection().insert(c.full(await makeParents(store())));
      const updated = await collection().update(record.id, (current) => withoutOptional(current, c.optional));
      expect(updated).toStrictEqual(withoutOptional(record, c.optional));
      expect(await collection().get(record.id)).toStrictEqual(withoutOptional(record, c.optional));
    });

    it(`${c.kind}: deletes one record and leaves the others`, async () => {
      const gone = await collection().insert(c.minimal(await makeParents(store())));
      const kept = await collection().insert(c.full(await makeParents(store())));
      await collection().delete(gone.id);
      expect(await collection().find(gone.id)).toBeUndefined();
      await expect(collection().get(gone.id)).rejects.toBeInstanceOf(NotFoundError);
      await expect(collection().delete(gone.id)).rejects.toBeInstanceOf(NotFoundError);
      expect(await collection().get(kept.id)).toStrictEqual(kept);
    });
  }

  it('an update cannot change the ID', async () => {
    const organization = await store().organizations.insert(newOrganization());
    const other = newOrganization().id;
    const updated = await store().organizations.update(organization.id, (o) => ({
      ...o,
      id: other,
      name: 'x',
    }));
    expect(updated).toStrictEqual({ ...organization, name: 'x' });
    expect(await store().organizations.find(other)).toBeUndefined();
  });

  it('update waits for an asynchronous change function', async () => {
    const user = await store().users.insert(newUser());
    const updated = await store().users.update(user.id, async (u) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return { ...u, name: 'later' };
    });
    expect(updated.name).toBe('later');
    expect((await store().users.get(user.id)).name).toBe('later');
  });

  it('insertMany inserts every record, or none when one breaks a rule', async () => {
    const users = [newUser(), newUser({ idp: 'https://sso.example.com', idpClaims }), newUser()];
    await store().users.insertMany(users);
    for (const user of users) expect(await store().users.get(user.id)).toStrictEqual(user);

    const fresh = newUser();
    const clash = newUser({ email: users[0]!.email });
    await expect(store().users.insertMany([fresh, clash])).rejects.toBeInstanceOf(AlreadyExistsError);
    expect(await store().users.find(fresh.id)).toBeUndefined();
    await store().users.insertMany([]);
  });
}

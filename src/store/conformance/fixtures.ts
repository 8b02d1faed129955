import { randomBytes } from 'node:crypto';
import { newId } from '../../core/ids.ts';
import type {
  AudienceProfile,
  AuditEvent,
  BrowserSession,
  Credential,
  Environment,
  Membership,
  Organization,
  OrganizationInvite,
  Project,
  Runner,
  ServiceAccount,
  SigningKey,
  SsoCliGrant,
  SsoConfiguration,
  SsoSignIn,
  User,
  UserIdentity,
} from '../records.ts';

/** Creation times a millisecond apart, so records made in a row list in the order they were made. */
let tick = Date.parse('2030-01-01T00:00:00.000Z');
export const nextTime = (): Date => new Date(tick++);

export const newOrganization = (o: Partial<Organization> = {}): Organization => ({
  id: newId(),
  name: 'Acme',
  oidcConfig: { version: 'v3', extraSubFields: [] },
  createdAt: nextTime(),
  ...o,
});

export const newUser = (o: Partial<User> = {}): User => {
  const id = o.id ?? newId();
  return {
    id,
    email: `${id}@example.com`,
    name: 'Ada Lovelace',
    emailVerified: true,
    createdAt: nextTime(),
    ...o,
  };
};

export const newMembership = (
  organizationId: string,
  userId: string,
  o: Partial<Membership> = {},
): Membership => ({
  id: newId(),
  organizationId,
  userId,
  role: 'member',
  createdAt: nextTime(),
  ...o,
});

export const newOrganizationInvite = (
  organizationId: string,
  o: Partial<OrganizationInvite> = {},
): OrganizationInvite => {
  const createdAt = nextTime();
  return {
    id: newId(),
    organizationId,
    createdAt,
    expiresAt: new Date(createdAt.getTime() + 7 * 86_400_000),
    ...o,
  };
};

export const newServiceAccount = (
  organizationId: string,
  o: Partial<ServiceAccount> = {},
): ServiceAccount => ({
  id: newId(),
  organizationId,
  name: 'ci',
  createdAt: nextTime(),
  ...o,
});

export const newRunner = (organizationId: string, o: Partial<Runner> = {}): Runner => ({
  id: newId(),
  organizationId,
  name: 'runner',
  createdAt: nextTime(),
  ...o,
});

export const newProject = (organizationId: string, o: Partial<Project> = {}): Project => ({
  id: newId(),
  organizationId,
  name: 'website',
  initializers: [],
  createdAt: nextTime(),
  ...o,
});

export const newEnvironment = (
  organizationId: string,
  runnerId: string,
  o: Partial<Environment> = {},
): Environment => ({
  id: newId(),
  organizationId,
  runnerId,
  creatorId: newId(),
  creatorPrincipal: 'user',
  initializers: [],
  status: 'running',
  createdAt: nextTime(),
  ...o,
});

/** A distinct secret hash per call (the store only needs uniqueness; it never sees a secret). */
export const newCredential = (o: Partial<Credential> = {}): Credential => ({
  id: newId(),
  principalKind: 'installation_admin',
  secretHash: newId().replaceAll('-', '').padEnd(64, '0'),
  description: 'test',
  createdAt: nextTime(),
  ...o,
});

/** A retired key: the store allows one current and one next key at a time, any number retired. */
export const newSigningKey = (o: Partial<SigningKey> = {}): SigningKey => {
  const id = o.id ?? randomBytes(32).toString('base64url');
  const createdAt = nextTime();
  return {
    id,
    state: 'retired',
    algorithm: 'RS256',
    publicJwk: {
      kty: 'RSA',
      n: randomBytes(256).toString('base64url'),
      e: 'AQAB',
      kid: id,
      alg: 'RS256',
      use: 'sig',
    },
    encryptedPrivateKey: randomBytes(64).toString('base64url'),
    createdAt,
    publishedAt: createdAt,
    ...o,
  };
};

export const newAuditEvent = (o: Partial<AuditEvent> = {}): AuditEvent => ({
  id: newId(),
  kind: 'key.created',
  details: {},
  createdAt: nextTime(),
  ...o,
});

export const newSsoConfiguration = (
  organizationId: string,
  o: Partial<SsoConfiguration> = {},
): SsoConfiguration => {
  const createdAt = nextTime();
  return {
    id: newId(),
    organizationId,
    issuerUrl: 'https://sso.example.com',
    clientId: `client-${randomBytes(4).toString('hex')}`,
    encryptedClientSecret: 'envid-secret:v1:k:iv:ct:tag',
    emailDomains: ['acme.example'],
    state: 'active',
    claims: {},
    additionalScopes: [],
    forwardedClaims: [],
    claimsExpression: '',
    createdAt,
    updatedAt: createdAt,
    ...o,
  };
};

export const newUserIdentity = (userId: string, o: Partial<UserIdentity> = {}): UserIdentity => ({
  id: newId(),
  userId,
  issuer: 'https://sso.example.com',
  subject: randomBytes(8).toString('hex'),
  createdAt: nextTime(),
  ...o,
});

export const newSsoSignIn = (ssoConfigurationId: string, o: Partial<SsoSignIn> = {}): SsoSignIn => {
  const createdAt = nextTime();
  return {
    id: randomBytes(32).toString('hex'),
    ssoConfigurationId,
    codeVerifier: randomBytes(32).toString('base64url'),
    nonce: randomBytes(16).toString('base64url'),
    returnTo: '/',
    createdAt,
    expiresAt: new Date(createdAt.getTime() + 600_000),
    ...o,
  };
};

export const newBrowserSession = (userId: string, o: Partial<BrowserSession> = {}): BrowserSession => {
  const createdAt = nextTime();
  return {
    id: newId(),
    userId,
    secretHash: randomBytes(32).toString('hex'),
    createdAt,
    expiresAt: new Date(createdAt.getTime() + 86_400_000),
    ...o,
  };
};

export const newAudienceProfile = (
  organizationId: string,
  o: Partial<AudienceProfile> = {},
): AudienceProfile => {
  const createdAt = nextTime();
  return {
    id: newId(),
    organizationId,
    name: `profile-${randomBytes(4).toString('hex')}`,
    audiences: ['api://AzureADTokenExchange'],
    oidcConfig: { version: 'v3', extraSubFields: [] },
    lifetimeSeconds: 3600,
    signingAlgorithm: 'RS256',
    extraClaims: [],
    version: 1,
    createdAt,
    updatedAt: createdAt,
    ...o,
  };
};

export const newSsoCliGrant = (ssoConfigurationId: string, o: Partial<SsoCliGrant> = {}): SsoCliGrant => {
  const createdAt = nextTime();
  return {
    id: randomBytes(32).toString('hex'),
    kind: 'device',
    ssoConfigurationId,
    state: 'pending',
    createdAt,
    expiresAt: new Date(createdAt.getTime() + 600_000),
    ...o,
  };
};

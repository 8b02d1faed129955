import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import { hashSecret } from '../core/credentials.ts';
import type { Credential, SsoCliGrant, SsoConfiguration } from '../store/records.ts';
import type { Store } from '../store/store.ts';
import { issueCredential } from './credentials/issue-credential.ts';

/**
 * What `envid login --sso` redeems for a personal access token (docs/decisions/0181): a one-time code
 * the loopback redirect carries (RFC 8252), or a device authorization a second device completes
 * (RFC 8628). Codes are random, kept as their SHA-256, short-lived and deleted when redeemed.
 */

/** A loopback code is redeemed at once by the CLI that is waiting for it. */
export const loopbackCodeLifetimeMs = 2 * 60 * 1000;
/** Time for the user to reach a second device, type the code and sign in. */
export const deviceCodeLifetimeMs = 10 * 60 * 1000;
/** The least time between two polls of one device code; faster polls are told slow_down. */
export const deviceIntervalSeconds = 5;
export const deviceGrantType = 'urn:ietf:params:oauth:grant-type:device_code';

/** RFC 8628 section 6.1: consonants only (no words, no vowels), 8 characters shown as XXXX-XXXX. */
const userCodeAlphabet = 'BCDFGHJKLMNPQRSTVWXZ';

/** A refusal at POST /sso/cli/token, in RFC 6749 section 5.2 / RFC 8628 section 3.5 terms. */
export class CliTokenRefused extends Error {
  constructor(
    readonly error:
      | 'invalid_request'
      | 'invalid_grant'
      | 'unsupported_grant_type'
      | 'authorization_pending'
      | 'slow_down'
      | 'expired_token'
      | 'access_denied',
    message: string,
    /** The grant's configuration, when known (for the audit record). */
    readonly config?: SsoConfiguration,
    /** The refusal was recorded when it happened (a sign-in the CEL rule refused). */
    readonly alreadyAudited = false,
  ) {
    super(message);
  }
}

/** Removes the grants whose time is up, so abandoned sign-ins do not pile up: called on every write. */
async function removeExpiredGrants(store: Store, now: Date): Promise<void> {
  for (const [filter, lifetime] of [
    [{ kind: 'loopback' as const }, loopbackCodeLifetimeMs],
    [{}, deviceCodeLifetimeMs],
  ] as const) {
    const old = await store.ssoCliGrants.list(
      filter,
      { pageSize: 100 },
      { before: new Date(now.getTime() - lifetime) },
    );
    if (old.items.length > 0) await store.ssoCliGrants.deleteWhere({ id: old.items.map((row) => row.id) });
  }
}

/** After the upstream sign-in of a loopback flow: the one-time code the browser takes to the CLI. */
export async function issueLoopbackCode(
  store: Store,
  clock: Clock,
  grant: { ssoConfigurationId: string; userId: string; codeChallenge: string; redirectUri: string },
): Promise<string> {
  const now = clock.now();
  await removeExpiredGrants(store, now);
  const code = `envid_sso_code_${randomBytes(32).toString('base64url')}`;
  await store.ssoCliGrants.insert({
    id: hashSecret(code),
    kind: 'loopback',
    state: 'approved',
    ...grant,
    createdAt: now,
    expiresAt: new Date(now.getTime() + loopbackCodeLifetimeMs),
  });
  return code;
}

export interface DeviceAuthorization {
  deviceCode: string;
  /** As shown: XXXX-XXXX. */
  userCode: string;
  expiresInSeconds: number;
  intervalSeconds: number;
}

/** POST /sso/device: a pending device authorization for an active configuration. */
export async function startDeviceAuthorization(
  store: Store,
  clock: Clock,
  config: SsoConfiguration,
): Promise<DeviceAuthorization> {
  const now = clock.now();
  await removeExpiredGrants(store, now);
  const deviceCode = `envid_sso_device_${randomBytes(32).toString('base64url')}`;
  const letters = Array.from({ length: 8 }, () => userCodeAlphabet[randomInt(userCodeAlphabet.length)]);
  const userCode = `${letters.slice(0, 4).join('')}-${letters.slice(4).join('')}`;
  await store.ssoCliGrants.insert({
    id: hashSecret(deviceCode),
    kind: 'device',
    ssoConfigurationId: config.id,
    state: 'pending',
    userCodeHash: hashSecret(normalizeUserCode(userCode)),
    createdAt: now,
    expiresAt: new Date(now.getTime() + deviceCodeLifetimeMs),
  });
  return {
    deviceCode,
    userCode,
    expiresInSeconds: deviceCodeLifetimeMs / 1000,
    intervalSeconds: deviceIntervalSeconds,
  };
}

/** As typed: case, dashes and spaces do not matter (RFC 8628 section 6.1). */
export const normalizeUserCode = (typed: string): string => typed.toUpperCase().replace(/[\s-]/g, '');

/** The pending, unexpired device authorization a typed user code names, or undefined. */
export async function findPendingDeviceGrant(
  store: Store,
  clock: Clock,
  typed: string,
): Promise<SsoCliGrant | undefined> {
  const normalized = normalizeUserCode(typed.slice(0, 64));
  if (!/^[A-Z]{8}$/.test(normalized)) return undefined;
  const grant = await store.ssoCliGrants.findOne({ userCodeHash: hashSecret(normalized) });
  if (grant?.state !== 'pending' || grant.expiresAt.getTime() <= clock.now().getTime()) return undefined;
  return grant;
}

/** The upstream sign-in a device authorization waited for ended: approved for `userId`, or refused. */
export async function settleDeviceGrant(
  store: Store,
  grantId: string,
  outcome: { userId: string } | { refusal: string },
): Promise<void> {
  const grant = await store.ssoCliGrants.find(grantId);
  if (grant?.state !== 'pending') return;
  await store.ssoCliGrants.update(grantId, (row) =>
    'userId' in outcome
      ? { ...row, state: 'approved', userId: outcome.userId }
      : { ...row, state: 'denied', refusal: outcome.refusal.slice(0, 500) },
  );
}

const pkceChallengeOf = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

/** Deletes the grant; false when another request already did (a code is redeemed once). */
const takeGrant = async (store: Store, id: string) => (await store.ssoCliGrants.deleteWhere({ id })) === 1;

export interface RedeemedGrant {
  grant: SsoCliGrant;
  config: SsoConfiguration;
  credential: Credential;
  secret: string;
}

const text = (form: Record<string, unknown>, field: string, max: number): string => {
  const value = form[field];
  if (typeof value !== 'string' || value === '') {
    throw new CliTokenRefused('invalid_request', `${field} is required`);
  }
  if (value.length > max)
    throw new CliTokenRefused('invalid_request', `${field} must be at most ${max} characters`);
  return value;
};

/**
 * POST /sso/cli/token: redeems a loopback code (with the CLI's PKCE verifier and redirect URI) or a
 * device code for a personal access token bound to the configuration's organization.
 */
export async function redeemCliGrant(
  store: Store,
  clock: Clock,
  form: Record<string, unknown>,
): Promise<RedeemedGrant> {
  const grantType = text(form, 'grant_type', 100);
  if (grantType === 'authorization_code') return redeemLoopbackCode(store, clock, form);
  if (grantType === deviceGrantType) return redeemDeviceCode(store, clock, form);
  throw new CliTokenRefused(
    'unsupported_grant_type',
    `grant_type must be authorization_code or ${deviceGrantType}`,
  );
}

async function redeemLoopbackCode(store: Store, clock: Clock, form: Record<string, unknown>) {
  const code = text(form, 'code', 200);
  const verifier = text(form, 'code_verifier', 128);
  const redirectUri = text(form, 'redirect_uri', 512);
  if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) {
    throw new CliTokenRefused(
      'invalid_request',
      'code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636)',
    );
  }
  const id = hashSecret(code);
  const grant = await store.ssoCliGrants.find(id);
  if (grant?.kind !== 'loopback' || !(await takeGrant(store, id))) {
    throw new CliTokenRefused('invalid_grant', 'the code is unknown or was already used; sign in again');
  }
  const config = await activeConfig(store, grant);
  if (grant.expiresAt.getTime() <= clock.now().getTime()) {
    throw new CliTokenRefused(
      'invalid_grant',
      'the code expired (it lasts 2 minutes); sign in again',
      config,
    );
  }
  if (grant.redirectUri !== redirectUri) {
    throw new CliTokenRefused(
      'invalid_grant',
      'redirect_uri is not the one the sign-in started with',
      config,
    );
  }
  if (pkceChallengeOf(verifier) !== grant.codeChallenge) {
    throw new CliTokenRefused(
      'invalid_grant',
      'code_verifier does not match the code_challenge the sign-in started with',
      config,
    );
  }
  return issueFor(store, clock, grant, config);
}

async function redeemDeviceCode(store: Store, clock: Clock, form: Record<string, unknown>) {
  const id = hashSecret(text(form, 'device_code', 200));
  const grant = await store.ssoCliGrants.find(id);
  if (grant?.kind !== 'device') throw new CliTokenRefused('invalid_grant', 'the device code is unknown');
  const now = clock.now();
  if (grant.expiresAt.getTime() <= now.getTime()) {
    await takeGrant(store, id);
    throw new CliTokenRefused('expired_token', 'the device code expired (it lasts 10 minutes); start again');
  }
  if (grant.state === 'pending') {
    const early = grant.polledAt && now.getTime() - grant.polledAt.getTime() < deviceIntervalSeconds * 1000;
    await store.ssoCliGrants.update(id, (row) => ({ ...row, polledAt: now }));
    if (early) {
      throw new CliTokenRefused('slow_down', `poll at most every ${deviceIntervalSeconds} seconds`);
    }
    throw new CliTokenRefused('authorization_pending', 'the sign-in on the second device is not done yet');
  }
  if (!(await takeGrant(store, id))) {
    throw new CliTokenRefused('invalid_grant', 'the device code was already used; start again');
  }
  const config = await activeConfig(store, grant);
  if (grant.state === 'denied') {
    throw new CliTokenRefused(
      'access_denied',
      `the sign-in was refused: ${grant.refusal ?? 'no reason given'}`,
      config,
      true,
    );
  }
  return issueFor(store, clock, grant, config);
}

async function activeConfig(store: Store, grant: SsoCliGrant): Promise<SsoConfiguration> {
  const config = await store.ssoConfigurations.find(grant.ssoConfigurationId);
  if (config?.state !== 'active') {
    throw new CliTokenRefused('access_denied', 'the SSO configuration is no longer active');
  }
  return config;
}

/** The personal access token, for a user who is (still) a member of the configuration's organization. */
async function issueFor(
  store: Store,
  clock: Clock,
  grant: SsoCliGrant,
  config: SsoConfiguration,
): Promise<RedeemedGrant> {
  const userId = grant.userId as string;
  const membership = await store.memberships.findOne({ organizationId: config.organizationId, userId });
  if (!membership) {
    throw new CliTokenRefused(
      'access_denied',
      `the user is not a member of organization ${config.organizationId}: ask an admin for an invite`,
      config,
    );
  }
  const { credential, secret } = await issueCredential(store, clock, {
    principalKind: 'user',
    principalId: userId,
    organizationId: config.organizationId,
    description: `envid login --sso (${grant.kind})`,
  });
  return { grant, config, credential, secret };
}

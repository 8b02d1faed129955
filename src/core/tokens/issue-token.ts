import { deepFreeze } from '../deep-freeze.ts';
import type { OidcConfig } from '../domain/oidc-config.ts';
import { invalidArgument } from '../errors.ts';
import { normalizeAudiences } from './audiences.ts';
import { composeV2Sub, composeV3Sub } from './compose-sub.ts';
import { configuredClaims } from './configured-claims.ts';
import { buildPrincipalClaims, type PrincipalClaims } from './principal-claims.ts';
import type { StandardClaims } from './standard-claims.ts';
import {
  defaultTokenLifetimeSeconds,
  maxTokenLifetimeSeconds,
  minTokenLifetimeSeconds,
} from './token-lifetime.ts';
import { signJwt, type TokenSigningKey } from './token-signer.ts';
import type { TokenSubject } from './token-subject.ts';
import { buildV2Claims, type V2PrincipalClaims } from './v2-claims.ts';

/** `nbf` lies this far before `iat`, so a relying party whose clock is a little behind accepts a fresh token. */
export const notBeforeLeewaySeconds = 30;

export type V3TokenClaims = StandardClaims & PrincipalClaims;
export type V2TokenClaims = StandardClaims & V2PrincipalClaims;
export type TokenClaims = V3TokenClaims | V2TokenClaims;

export interface TokenRequest {
  /** The configured issuer URL, byte-identical to discovery's `issuer`. */
  issuer: string;
  /** As asked for; validated and folded here (docs/tokens.md#asking-for-a-token). */
  audiences: unknown;
  /** Default 3600; shorter may be asked for, never longer. */
  lifetimeSeconds?: number;
  now: Date;
  /** Unique per token (a random UUID); injected so tests are exact. */
  jti: string;
  subject: TokenSubject;
  oidcConfig: OidcConfig;
}

export interface IssuedToken {
  token: string;
  /** The payload as signed: what the audit log records (sub, aud, iat, exp, jti). */
  claims: TokenClaims;
  /** The folded audiences, always as a list. */
  audiences: string[];
}

/** The payload of a token, in a stable order: standard claims, then the principal's (V3) or `org` and `gsub` (V2). */
export function buildTokenClaims(request: TokenRequest): { claims: TokenClaims; audiences: string[] } {
  const { standard, subject, audiences } = preparePayload(request);
  return { claims: { ...standard, ...subject.principal } as TokenClaims, audiences };
}

/** A token's payload as the hot path needs it: the JSON to sign, and the claims the audit log records. */
export interface TokenPayload {
  /** iss, sub, aud, iat, nbf, exp, jti. */
  standard: StandardClaims;
  /** The folded audiences, always as a list. */
  audiences: string[];
  /** Exactly `JSON.stringify(buildTokenClaims(request).claims)`, without building that object. */
  json: string;
}

export function buildTokenPayload(request: TokenRequest): TokenPayload {
  const { standard, subject, audiences } = preparePayload(request);
  return { standard, audiences, json: `${JSON.stringify(standard).slice(0, -1)}${subject.jsonTail}` };
}

function preparePayload(request: TokenRequest) {
  const audiences = normalizeAudiences(request.audiences);
  const lifetime = request.lifetimeSeconds ?? defaultTokenLifetimeSeconds;
  if (
    !Number.isInteger(lifetime) ||
    lifetime < minTokenLifetimeSeconds ||
    lifetime > maxTokenLifetimeSeconds
  ) {
    throw invalidArgument(
      'lifetime',
      `must be a whole number of seconds from ${minTokenLifetimeSeconds} to ${maxTokenLifetimeSeconds}`,
    );
  }
  if (request.jti === '') throw new Error('a token needs a jti');
  const iat = Math.floor(request.now.getTime() / 1000);
  const subject = subjectClaims(request.subject, request.oidcConfig);
  const standard: StandardClaims = {
    iss: request.issuer,
    sub: subject.sub,
    aud: audiences.length === 1 ? audiences[0]! : audiences,
    iat,
    nbf: iat - notBeforeLeewaySeconds,
    exp: iat + lifetime,
    jti: request.jti,
  };
  return { standard, subject, audiences };
}

interface SubjectClaims {
  sub: string;
  principal: PrincipalClaims | V2PrincipalClaims;
  /** The principal's claims as the end of the payload's JSON: `,"org":"…","gsub":{…}}` (or `}` for none). */
  jsonTail: string;
}

/**
 * The part of a token that depends only on its principal and the organization's configuration: the
 * same for every token until either changes, so it is worked out once per pair of objects (the server's
 * caches hand out the same objects while nothing changes). The memo freezes both objects as it
 * remembers them, so a change made in place fails loudly instead of going unseen; a changed principal or
 * configuration is a new object.
 */
const subjectClaimsMemo = new WeakMap<TokenSubject, { oidcConfig: OidcConfig; claims: SubjectClaims }>();

function subjectClaims(subject: TokenSubject, oidcConfig: OidcConfig): SubjectClaims {
  const remembered = subjectClaimsMemo.get(subject);
  if (remembered?.oidcConfig === oidcConfig) return remembered.claims;
  let principal: SubjectClaims['principal'];
  let sub: string;
  if (oidcConfig.version === 'v2') {
    principal = buildV2Claims(subject);
    sub = composeV2Sub(subject);
  } else {
    const principalClaims = buildPrincipalClaims(subject);
    principal = configuredClaims(principalClaims, oidcConfig);
    sub = composeV3Sub(subject.kind, principalClaims, oidcConfig.extraSubFields);
  }
  const principalJson = JSON.stringify(principal);
  const jsonTail = principalJson === '{}' ? '}' : `,${principalJson.slice(1)}`;
  const claims = { sub, principal, jsonTail };
  subjectClaimsMemo.set(deepFreeze(subject), { oidcConfig: deepFreeze(oidcConfig), claims });
  return claims;
}

/** Builds and signs one token. Pure but for the signature: time, jti and key are the caller's. */
export function issueToken(request: TokenRequest & { key: TokenSigningKey }): IssuedToken {
  const { claims, audiences } = buildTokenClaims(request);
  return { token: signJwt(request.key, claims), claims, audiences };
}

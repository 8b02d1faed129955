import type { OidcConfig } from '../../store/records.ts';
import { invalidArgument } from '../errors.ts';
import { normalizeAudiences } from './audiences.ts';
import { composeV2Sub, composeV3Sub } from './compose-sub.ts';
import { buildPrincipalClaims, type PrincipalClaims } from './principal-claims.ts';
import { signJwt, type TokenSigningKey } from './token-signer.ts';
import { subjectOrganizationId, type TokenSubject } from './token-subject.ts';

export const defaultTokenLifetimeSeconds = 3600;
export const maxTokenLifetimeSeconds = 3600;
export const minTokenLifetimeSeconds = 60;
/** `nbf` lies this far before `iat`, so a relying party whose clock is a little behind accepts a fresh token. */
export const notBeforeLeewaySeconds = 30;

export interface StandardClaims {
  iss: string;
  sub: string;
  /** A string for one audience, an array for several (SPEC §4). */
  aud: string | string[];
  iat: number;
  nbf: number;
  exp: number;
  jti: string;
}

export type V3TokenClaims = StandardClaims & PrincipalClaims;
export type V2TokenClaims = StandardClaims & { org: string };
export type TokenClaims = V3TokenClaims | V2TokenClaims;

export interface TokenRequest {
  /** The configured issuer URL, byte-identical to discovery's `issuer`. */
  issuer: string;
  /** As asked for; validated and folded here (SPEC §3). */
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

/** The payload of a token, in a stable order: standard claims, then the principal's (V3) or `org` (V2). */
export function buildTokenClaims(request: TokenRequest): { claims: TokenClaims; audiences: string[] } {
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
  const { subject, oidcConfig } = request;
  const standard = (sub: string): StandardClaims => ({
    iss: request.issuer,
    sub,
    aud: audiences.length === 1 ? audiences[0]! : audiences,
    iat,
    nbf: iat - notBeforeLeewaySeconds,
    exp: iat + lifetime,
    jti: request.jti,
  });
  if (oidcConfig.version === 'v2') {
    return { claims: { ...standard(composeV2Sub(subject)), org: subjectOrganizationId(subject) }, audiences };
  }
  const principal = buildPrincipalClaims(subject);
  const sub = composeV3Sub(subject.kind, principal, oidcConfig.extraSubFields);
  return { claims: { ...standard(sub), ...principal }, audiences };
}

/** Builds and signs one token. Pure but for the signature: time, jti and key are the caller's. */
export function issueToken(request: TokenRequest & { key: TokenSigningKey }): IssuedToken {
  const { claims, audiences } = buildTokenClaims(request);
  return { token: signJwt(request.key, claims), claims, audiences };
}

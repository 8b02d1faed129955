import { deepFreeze } from '../deep-freeze.ts';
import type { AudienceProfile } from '../domain/audience-profile.ts';
import type { OidcConfig } from '../domain/oidc-config.ts';
import { invalidArgument } from '../errors.ts';
import { normalizeAudiences } from './audiences.ts';
import { awsTagsClaim, awsTagsClaimValue } from './aws-session-tags.ts';
import { composeV2Sub, composeV3Sub } from './compose-sub.ts';
import { configuredClaims } from './configured-claims.ts';
import { buildPrincipalClaims, type PrincipalClaims } from './principal-claims.ts';
import { resolveExtraClaims } from './profiles/extra-claims.ts';
import { type MatchableProfile, profileForAudiences } from './profiles/select-profile.ts';
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
  /** The organization's configuration: the default profile. */
  oidcConfig: OidcConfig;
  /** The organization's audience profiles; none (or absent) gives exactly the default's tokens. */
  profiles?: readonly MatchableProfile<TokenProfile>[];
}

/** What a token takes from its audience profile (docs/tokens.md#audience-profiles). */
export type TokenProfile = Pick<
  AudienceProfile,
  | 'id'
  | 'name'
  | 'version'
  | 'oidcConfig'
  | 'lifetimeSeconds'
  | 'signingAlgorithm'
  | 'extraClaims'
  | 'awsSessionTags'
>;

export interface IssuedToken {
  token: string;
  /** The payload as signed: what the audit log records (sub, aud, iat, exp, jti). */
  claims: TokenClaims;
  /** The folded audiences, always as a list. */
  audiences: string[];
  /** The audience profile that shaped it; absent for the default. */
  profile?: TokenProfile;
}

/** The payload of a token, in a stable order: standard claims, then the principal's (V3) or `org` and `gsub` (V2). */
export function buildTokenClaims(request: TokenRequest): {
  claims: TokenClaims;
  audiences: string[];
  profile?: TokenProfile;
} {
  const { standard, subject, audiences, profile } = preparePayload(request);
  return {
    claims: { ...standard, ...subject.principal, ...subject.extra } as TokenClaims,
    audiences,
    ...(profile ? { profile } : {}),
  };
}

/** A token's payload as the hot path needs it: the JSON to sign, and the claims the audit log records. */
export interface TokenPayload {
  /** iss, sub, aud, iat, nbf, exp, jti. */
  standard: StandardClaims;
  /** The folded audiences, always as a list. */
  audiences: string[];
  /** Exactly `JSON.stringify(buildTokenClaims(request).claims)`, without building that object. */
  json: string;
  /** The audience profile that shaped it; absent for the default. */
  profile?: TokenProfile;
}

export function buildTokenPayload(request: TokenRequest): TokenPayload {
  const { standard, subject, audiences, profile } = preparePayload(request);
  return {
    standard,
    audiences,
    json: `${JSON.stringify(standard).slice(0, -1)}${subject.jsonTail}`,
    ...(profile ? { profile } : {}),
  };
}

function preparePayload(request: TokenRequest) {
  const audiences = normalizeAudiences(request.audiences);
  const profile = request.profiles?.length
    ? profileForAudiences(request.profiles, audiences)?.profile
    : undefined;
  // A profile's lifetime is its tokens' default and their limit.
  const longest = profile?.lifetimeSeconds ?? maxTokenLifetimeSeconds;
  const lifetime = request.lifetimeSeconds ?? profile?.lifetimeSeconds ?? defaultTokenLifetimeSeconds;
  if (!Number.isInteger(lifetime) || lifetime < minTokenLifetimeSeconds || lifetime > longest) {
    throw invalidArgument(
      'lifetime',
      `must be a whole number of seconds from ${minTokenLifetimeSeconds} to ${longest}` +
        (profile ? ` (the limit of audience profile ${JSON.stringify(profile.name)})` : ''),
    );
  }
  if (request.jti === '') throw new Error('a token needs a jti');
  const iat = Math.floor(request.now.getTime() / 1000);
  const subject = subjectClaims(request.subject, request.oidcConfig, profile);
  const standard: StandardClaims = {
    iss: request.issuer,
    sub: subject.sub,
    aud: audiences.length === 1 ? audiences[0]! : audiences,
    iat,
    nbf: iat - notBeforeLeewaySeconds,
    exp: iat + lifetime,
    jti: request.jti,
  };
  return { standard, subject, audiences, profile };
}

interface SubjectClaims {
  sub: string;
  principal: PrincipalClaims | V2PrincipalClaims;
  /** The profile's extra claims (and AWS session tags), after the principal's. */
  extra: Record<string, unknown>;
  /** The principal's claims as the end of the payload's JSON: `,"org":"…","gsub":{…}}` (or `}` for none). */
  jsonTail: string;
}

/**
 * The part of a token that depends only on its principal and its shape (the organization's
 * configuration, or an audience profile): the same for every token until either changes, so it is
 * worked out once per subject and shape (the server's caches hand out the same objects while nothing
 * changes). A shape is known by the profile's ID and version (`default` for the organization's
 * configuration) and by the identity of its configuration object. The memo freezes what it remembers,
 * so a change made in place fails loudly instead of going unseen; a changed principal, configuration
 * or profile is a new object (and a profile a new version).
 */
type Remembered = { oidcConfig: OidcConfig; profile: TokenProfile | undefined; claims: SubjectClaims };
const subjectClaimsMemo = new WeakMap<TokenSubject, Map<string, Remembered>>();
/** A principal asks for tokens of a few shapes at most; more are forgotten oldest first. */
const maxShapesPerSubject = 8;

function subjectClaims(
  subject: TokenSubject,
  defaultConfig: OidcConfig,
  profile: TokenProfile | undefined,
): SubjectClaims {
  const oidcConfig = profile?.oidcConfig ?? defaultConfig;
  const shape = profile ? `${profile.id}@${profile.version}` : 'default';
  let shapes = subjectClaimsMemo.get(subject);
  const remembered = shapes?.get(shape);
  if (remembered?.oidcConfig === oidcConfig && remembered.profile === profile) return remembered.claims;
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
  const source = () =>
    oidcConfig.version === 'v2' ? buildPrincipalClaims(subject) : (principal as PrincipalClaims);
  const extra: Record<string, unknown> = profile?.extraClaims.length
    ? resolveExtraClaims(source(), profile.extraClaims)
    : {};
  // After the extra claims: a profile's session tags are the one thing AWS reads from that claim name.
  const tags = profile?.awsSessionTags ? awsTagsClaimValue(profile.awsSessionTags, source()) : undefined;
  if (tags) extra[awsTagsClaim] = tags;
  const tailJson = JSON.stringify({ ...principal, ...extra });
  const jsonTail = tailJson === '{}' ? '}' : `,${tailJson.slice(1)}`;
  const claims = { sub, principal, extra, jsonTail };
  if (!shapes) {
    shapes = new Map();
    subjectClaimsMemo.set(deepFreeze(subject), shapes);
  }
  shapes.delete(shape);
  if (shapes.size >= maxShapesPerSubject) shapes.delete(shapes.keys().next().value!);
  shapes.set(shape, { oidcConfig: deepFreeze(oidcConfig), profile: deepFreeze(profile), claims });
  return claims;
}

/** Builds and signs one token. Pure but for the signature: time, jti and key are the caller's. */
export function issueToken(request: TokenRequest & { key: TokenSigningKey }): IssuedToken {
  const { claims, audiences } = buildTokenClaims(request);
  return { token: signJwt(request.key, claims), claims, audiences };
}

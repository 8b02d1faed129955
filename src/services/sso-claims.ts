import type { Clock } from '../core/clock.ts';
import type { IdpClaims } from '../core/domain/idp-claims.ts';
import { invalidArgument, notFound } from '../core/errors.ts';
import {
  forwardedClaimNameProblem,
  forwardedClaimsOf,
  forwardedValueProblem,
  maxForwardedClaims,
  maxForwardedClaimsSize,
} from '../core/sso/forwarded-claims.ts';
import type { User } from '../store/records.ts';
import type { Store } from '../store/store.ts';

/** What a sign-in through SSO learned about its user: the upstream issuer and the forwarded claims. */
export interface SignInClaims {
  userId: string;
  /** The upstream ID token's `iss`, as it sent it (it becomes the user's `idp`, byte for byte). */
  issuer: string;
  /** forwardedClaimsOf's answer for the upstream ID token. */
  claims: IdpClaims;
}

const maxIssuerLength = 2048;

/**
 * Replaces the user's `idp` and `idp_claims` with what this sign-in brought, at every sign-in: a claim
 * or group the upstream no longer sends is gone from the user's next token (environments keep what
 * their creator had when they were created: docs/tokens.md#forwarded-sso-claims). Claims that
 * forwardedClaimsOf would not forward are refused, naming the claim, and nothing changes.
 * `clock` belongs to the contract with the sign-in (docs/decisions/0185); nothing here reads the time yet.
 */
export async function applySignInClaims(
  store: Store,
  _clock: Clock,
  { userId, issuer, claims }: SignInClaims,
): Promise<User> {
  assertIssuer(issuer);
  assertForwardable(claims);
  const user = await store.users.find(userId);
  if (!user) throw notFound('user', userId);
  return store.users.update(userId, (current) => {
    const { idpClaims: _old, ...rest } = current;
    // Stored as its own copy: the caller's object may change after this call.
    const kept = forwardedClaimsOf(claims, Object.keys(claims));
    return { ...rest, idp: issuer, ...(Object.keys(kept).length > 0 ? { idpClaims: kept } : {}) };
  });
}

function assertIssuer(issuer: string): void {
  if (typeof issuer !== 'string' || issuer === '') throw invalidArgument('issuer', 'must be a non-empty URL');
  if (issuer.length > maxIssuerLength)
    throw invalidArgument(
      'issuer',
      `is ${issuer.length} characters long; at most ${maxIssuerLength} are allowed`,
    );
  const url = URL.canParse(issuer) ? new URL(issuer) : undefined;
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:'))
    throw invalidArgument('issuer', 'must be an absolute http(s) URL (the upstream ID token\'s "iss")');
}

function assertForwardable(claims: IdpClaims): void {
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims))
    throw invalidArgument('claims', 'must be an object of forwarded claims');
  const names = Object.keys(claims);
  const kept = forwardedClaimsOf(claims, names);
  for (const name of names) {
    if (Object.hasOwn(kept, name)) continue;
    const problem =
      forwardedClaimNameProblem(name) ??
      forwardedValueProblem(claims[name]) ??
      `is beyond the limits (at most ${maxForwardedClaims} claims, ${maxForwardedClaimsSize} characters in all)`;
    throw invalidArgument(`claims.${name}`, `${problem}; it is never forwarded`);
  }
}

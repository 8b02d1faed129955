import {
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  type JSONWebKeySet,
  type JWTPayload,
  jwtVerify,
} from 'jose';

/**
 * What a relying-party stand-in (Entra, STS, Google STS, Vault) needs from envid's token before it
 * applies its own rules: the issuer's discovery and JWKS fetched over HTTP, the signature, the time
 * claims and, optionally, the issuer and audience. Each failure comes back as a reason the stand-in maps
 * to its provider's error code (src/providers/), so each stand-in only adds its provider's rules.
 *
 * Real providers require an https issuer; envid in tests is http://127.0.0.1:port, which the stand-ins
 * accept in test mode only.
 */
export type JwtCheckFailure =
  /** Not a compact JWS with JSON header and claims. */
  | 'malformed'
  /** `alg` not among the allowed ones, or no `kid`. */
  | 'algorithm'
  /** `iss` is not the expected issuer (only checked when `issuer` is given). */
  | 'issuer'
  /** Discovery or JWKS could not be fetched, or discovery's `issuer` differs from `iss`. */
  | 'discovery'
  /** No key with the token's `kid` in the JWKS. */
  | 'key-not-found'
  | 'signature'
  | 'expired'
  | 'not-yet-valid'
  /** Missing or non-integer `iat`/`exp`, or lifetime above the limit. */
  | 'time-claims'
  /** `aud` does not contain the expected audience (only checked when `audience` is given). */
  | 'audience';

export type JwtCheckResult =
  | { ok: true; payload: JWTPayload; header: { alg: string; kid: string } }
  | { ok: false; reason: JwtCheckFailure; detail: string; payload?: JWTPayload };

export interface JwtCheckOptions {
  /** When given, `iss` must equal it byte for byte before anything is fetched. */
  issuer?: string;
  /** When given, `aud` (string or array) must contain one of these. */
  audience?: string | string[];
  /** Default ['RS256']. */
  algorithms?: string[];
  /** Largest accepted `exp - iat` in seconds, e.g. Google's 48 h; none by default. */
  maxLifetimeSeconds?: number;
  /** Clock leeway in seconds (default 0; Vault uses 60). */
  clockToleranceSeconds?: number;
  /** Timeout for each of discovery and JWKS (default 5 s, the common profile). */
  fetchTimeoutMs?: number;
  /** Added to this machine's clock, to play a relying party whose clock is ahead (an expired token). */
  clockOffsetSeconds?: number;
}

/** Unverified claims (for stand-ins that must look up their configuration by `iss` first). */
export function peekClaims(token: string): JWTPayload | undefined {
  try {
    return decodeJwt(token);
  } catch {
    return undefined;
  }
}

/**
 * Checks `token` as a relying party does: its issuer's discovery
 * (`<iss>/.well-known/openid-configuration`, whose `issuer` must equal `iss`), then `jwks_uri`, then the
 * signature with the key named by `kid`, the time claims and the audience.
 */
export async function checkEnvidJwt(token: string, options: JwtCheckOptions = {}): Promise<JwtCheckResult> {
  const algorithms = options.algorithms ?? ['RS256'];
  let payload: JWTPayload;
  let header: { alg?: string; kid?: string };
  try {
    payload = decodeJwt(token);
    header = decodeProtectedHeader(token);
  } catch (error) {
    return { ok: false, reason: 'malformed', detail: (error as Error).message };
  }
  const fail = (reason: JwtCheckFailure, detail: string): JwtCheckResult => ({
    ok: false,
    reason,
    detail,
    payload,
  });
  if (!header.alg || !algorithms.includes(header.alg)) {
    return fail('algorithm', `alg ${header.alg} is not one of ${algorithms.join(', ')}`);
  }
  if (!header.kid) return fail('algorithm', 'the header has no kid');
  const iss = payload.iss;
  if (typeof iss !== 'string') return fail('issuer', 'the token has no iss');
  if (options.issuer !== undefined && iss !== options.issuer) {
    return fail('issuer', `iss ${iss} is not ${options.issuer}`);
  }
  if (!Number.isInteger(payload.iat) || !Number.isInteger(payload.exp)) {
    return fail('time-claims', 'iat and exp must be integers');
  }
  if (options.maxLifetimeSeconds !== undefined && payload.exp! - payload.iat! > options.maxLifetimeSeconds) {
    return fail(
      'time-claims',
      `lifetime ${payload.exp! - payload.iat!} s exceeds ${options.maxLifetimeSeconds} s`,
    );
  }
  let jwks: JSONWebKeySet;
  try {
    jwks = await fetchIssuerKeys(iss, options.fetchTimeoutMs ?? 5_000);
  } catch (error) {
    return fail('discovery', (error as Error).message);
  }
  try {
    await jwtVerify(token, createLocalJWKSet(jwks), {
      algorithms,
      clockTolerance: options.clockToleranceSeconds ?? 0,
      currentDate: new Date(Date.now() + (options.clockOffsetSeconds ?? 0) * 1000),
      ...(options.audience !== undefined ? { audience: options.audience } : {}),
    });
  } catch (error) {
    if (error instanceof errors.JWKSNoMatchingKey) return fail('key-not-found', error.message);
    if (error instanceof errors.JWSSignatureVerificationFailed) return fail('signature', error.message);
    if (error instanceof errors.JWTExpired) return fail('expired', error.message);
    if (error instanceof errors.JWTClaimValidationFailed) {
      if (error.claim === 'aud') return fail('audience', error.message);
      if (error.claim === 'nbf' || error.claim === 'iat') return fail('not-yet-valid', error.message);
      return fail('time-claims', error.message);
    }
    return fail('malformed', (error as Error).message);
  }
  return { ok: true, payload, header: { alg: header.alg, kid: header.kid } };
}

/** Discovery then JWKS, over HTTP, as a relying party fetches them. Throws with what went wrong. */
export async function fetchIssuerKeys(issuer: string, timeoutMs = 5_000): Promise<JSONWebKeySet> {
  const discoveryUrl = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const discovery = await fetchJson(discoveryUrl, timeoutMs);
  if (discovery['issuer'] !== issuer) {
    throw new Error(`discovery issuer ${String(discovery['issuer'])} is not the token's iss ${issuer}`);
  }
  const jwksUri = discovery['jwks_uri'];
  if (typeof jwksUri !== 'string') throw new Error(`${discoveryUrl} has no jwks_uri`);
  const jwks = await fetchJson(jwksUri, timeoutMs);
  if (!Array.isArray(jwks['keys'])) throw new Error(`${jwksUri} has no keys array`);
  return jwks as unknown as JSONWebKeySet;
}

async function fetchJson(url: string, timeoutMs: number): Promise<Record<string, unknown>> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return (await response.json()) as Record<string, unknown>;
}

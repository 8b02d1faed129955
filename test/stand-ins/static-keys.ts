import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose';

/**
 * A token's signature against keys a provider was *given* (Google's uploaded JWKS, Vault's jwks_url or
 * jwt_validation_pubkeys) rather than discovered from the issuer (that is test/support/envid-jwt-check.ts).
 * Only the signature: times and claims are each stand-in's own rules.
 */
export async function verifyWithKeys(
  token: string,
  jwks: JSONWebKeySet,
  algorithms: string[],
): Promise<{ ok: true; claims: Record<string, unknown> } | { ok: false; detail: string }> {
  try {
    const header = decodeProtectedHeader(token);
    if (!algorithms.includes(String(header.alg)))
      return { ok: false, detail: `alg ${header.alg} not allowed` };
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), {
      algorithms,
      clockTolerance: Number.MAX_SAFE_INTEGER,
    });
    return { ok: true, claims: payload as Record<string, unknown> };
  } catch (error) {
    return { ok: false, detail: (error as Error).message };
  }
}

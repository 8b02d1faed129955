import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { credentialPrefixes, type PrincipalKind } from './principal-kinds.ts';

/**
 * Credential secrets: a type prefix (so secret scanners can find a leaked one) and 256 random bits.
 * Only the SHA-256 of the whole secret is stored; a high-entropy secret needs no slow hash. The prefixes
 * are declared with the principal kinds (principal-kinds.ts).
 */

// Generated secrets have 43 characters; an operator-chosen bootstrap token may be longer.
const secretBody = /^[A-Za-z0-9_-]{32,200}$/;

export function generateSecret(kind: PrincipalKind, random: (n: number) => Buffer = randomBytes): string {
  return credentialPrefixes[kind] + random(32).toString('base64url');
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** The kind a secret claims to be by its prefix, or undefined when it is not shaped like an envid credential. */
export function secretKind(secret: string): PrincipalKind | undefined {
  for (const [kind, prefix] of Object.entries(credentialPrefixes) as [PrincipalKind, string][]) {
    if (secret.startsWith(prefix) && secretBody.test(secret.slice(prefix.length))) return kind;
  }
  return undefined;
}

/** Constant-time comparison of two hex hashes. */
export function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

import { randomUUID } from 'node:crypto';

/** All IDs are lower-case, hyphenated UUIDs (docs/api.md). */
export const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const isUuid = (value: string): boolean => uuidPattern.test(value);

export const newId = (): string => randomUUID();

/**
 * A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits. For append-only
 * records (the audit log): consecutive IDs sort near each other, so the primary-key index grows at its
 * right edge instead of touching a random page per row (less WAL, fewer pages dirtied per commit).
 */
export function newTimeOrderedId(now: Date = new Date()): string {
  // randomUUID draws from a cached entropy pool (randomBytes would ask OpenSSL every time); its variant
  // bits are already RFC 9562's, so only the time and the version replace its first 13 digits.
  const random = randomUUID();
  const time = now.getTime().toString(16).padStart(12, '0');
  return `${time.slice(0, 8)}-${time.slice(8)}-7${random.slice(15)}`;
}

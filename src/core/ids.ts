import { randomBytes, randomUUID } from 'node:crypto';

/** All IDs are lower-case, hyphenated UUIDs (SPEC §1). */
export const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const isUuid = (value: string): boolean => uuidPattern.test(value);

export const newId = (): string => randomUUID();

/**
 * A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits. For append-only
 * records (the audit log): consecutive IDs sort near each other, so the primary-key index grows at its
 * right edge instead of touching a random page per row (less WAL, fewer pages dirtied per commit).
 */
export function newTimeOrderedId(now: Date = new Date()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(now.getTime(), 0, 6);
  bytes[6] = 0x70 | (bytes[6]! & 0x0f);
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

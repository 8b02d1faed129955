import { createHmac, randomBytes } from 'node:crypto';

/** The 32-byte AES-256 key that encrypts signing keys at rest, with a short public ID to tell keys apart. */
export interface MasterKey {
  readonly bytes: Buffer;
  /** base64url of 8 bytes of HMAC-SHA256(key, label): names the key in errors without revealing it. */
  readonly id: string;
}

export class MasterKeyError extends Error {
  override readonly name = 'MasterKeyError';
}

const hex = /^[0-9a-fA-F]{64}$/;
const base64 = /^[A-Za-z0-9+/_-]{43}={0,1}$/;

export function masterKeyFromBytes(bytes: Buffer): MasterKey {
  if (bytes.length !== 32) throw new MasterKeyError(`a master key is 32 bytes; got ${bytes.length}`);
  const id = createHmac('sha256', bytes)
    .update('envid master key id')
    .digest()
    .subarray(0, 8)
    .toString('base64url');
  return { bytes: Buffer.from(bytes), id };
}

/**
 * Parses a master key written as 64 hex digits or 32 bytes of base64 / base64url. The message of a
 * refusal names where the key came from and never repeats the value.
 */
export function parseMasterKey(text: string, source = 'ENVID_MASTER_KEY'): MasterKey {
  const value = text.trim();
  if (value === '')
    throw new MasterKeyError(`${source} is empty; it must hold a 32-byte key (64 hex digits or base64)`);
  if (hex.test(value)) return masterKeyFromBytes(Buffer.from(value, 'hex'));
  if (base64.test(value)) {
    const bytes = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (bytes.length === 32) return masterKeyFromBytes(bytes);
  }
  throw new MasterKeyError(
    `${source} is not a master key: it must be 32 bytes written as 64 hex digits or 44 base64 characters ` +
      `(got ${value.length} characters); create one with: openssl rand -base64 32`,
  );
}

/** A new random master key and its text form (base64), e.g. for the key file created on first start. */
export function generateMasterKey(random: (size: number) => Buffer = randomBytes): {
  key: MasterKey;
  text: string;
} {
  const bytes = random(32);
  return { key: masterKeyFromBytes(bytes), text: bytes.toString('base64') };
}

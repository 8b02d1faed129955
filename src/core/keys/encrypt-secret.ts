import { randomBytes } from 'node:crypto';
import type { MasterKey } from './master-key.ts';
import { openBytes, parseSealed, sealBytes } from './sealed-bytes.ts';

/**
 * Upstream client secrets at rest (SSO configurations): sealed like signing keys, with the
 * configuration's ID as additional data. Text form `envid-secret:v1:<master key id>:<iv>:<ciphertext>:<tag>`.
 */
const prefix = 'envid-secret:v1';

export class SecretDecryptionError extends Error {
  override readonly name = 'SecretDecryptionError';
}

export function encryptSecret(
  secret: string,
  ownerId: string,
  masterKey: MasterKey,
  random: (size: number) => Buffer = randomBytes,
): string {
  const parts = sealBytes(Buffer.from(secret, 'utf8'), `${prefix}:${ownerId}`, masterKey, random);
  return [prefix, masterKey.id, ...parts].join(':');
}

/** The secret in the clear; the error names the owner and the master key, never the secret. */
export function decryptSecret(encrypted: string, ownerId: string, masterKey: MasterKey): string {
  const sealed = parseSealed(encrypted, prefix);
  if (!sealed) {
    throw new SecretDecryptionError(`${ownerId}: the stored secret is not in the format ${prefix}`);
  }
  const { keyId, parts } = sealed;
  if (keyId !== masterKey.id) {
    throw new SecretDecryptionError(
      `${ownerId}: the stored secret was encrypted under master key ${keyId}, but the configured master key is ${masterKey.id}`,
    );
  }
  try {
    return openBytes(parts, `${prefix}:${ownerId}`, masterKey).toString('utf8');
  } catch {
    throw new SecretDecryptionError(`${ownerId}: the stored secret was altered or belongs to another record`);
  }
}

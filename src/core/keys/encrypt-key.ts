import { createPrivateKey, type KeyObject, randomBytes } from 'node:crypto';
import type { MasterKey } from './master-key.ts';
import { openBytes, parseSealed, sealBytes } from './sealed-bytes.ts';

/**
 * Private keys at rest: AES-256-GCM under the master key, the PKCS8 DER as plaintext, the key's `kid`
 * as additional data (a stored key cannot be swapped onto another key's row). Text form:
 * `envid-key:v1:<master key id>:<iv>:<ciphertext>:<tag>`, all base64url; the version prefix lets the
 * format change later, the master key ID makes a wrong key a clear error rather than a failed tag.
 */
const prefix = 'envid-key:v1';

export class KeyDecryptionError extends Error {
  override readonly name = 'KeyDecryptionError';
}

export function encryptPrivateKey(
  privateKey: KeyObject,
  kid: string,
  masterKey: MasterKey,
  random: (size: number) => Buffer = randomBytes,
): string {
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  const parts = sealBytes(der, `${prefix}:${kid}`, masterKey, random);
  der.fill(0);
  return [prefix, masterKey.id, ...parts].join(':');
}

export function decryptPrivateKey(encrypted: string, kid: string, masterKey: MasterKey): KeyObject {
  const sealed = parseSealed(encrypted, prefix);
  if (!sealed) {
    throw new KeyDecryptionError(
      `signing key ${kid}: the stored private key is not in a format this version of envid reads (expected ${prefix})`,
    );
  }
  const { keyId, parts } = sealed;
  if (keyId !== masterKey.id) {
    throw new KeyDecryptionError(
      `signing key ${kid} was encrypted under master key ${keyId}, but the configured master key is ${masterKey.id}: ` +
        'set ENVID_MASTER_KEY (or the data directory key file) to the key the database was created with',
    );
  }
  let der: Buffer;
  try {
    der = openBytes(parts, `${prefix}:${kid}`, masterKey);
  } catch {
    throw new KeyDecryptionError(
      `signing key ${kid} cannot be decrypted: the stored key was altered or belongs to another key ID (master key ${masterKey.id})`,
    );
  }
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } finally {
    der.fill(0);
  }
}

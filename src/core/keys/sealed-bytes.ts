import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { MasterKey } from './master-key.ts';

/**
 * AES-256-GCM under the master key, with additional data binding the ciphertext to its row: the one
 * sealing used for signing keys (encrypt-key.ts) and SSO client secrets (encrypt-secret.ts). Answers
 * `[iv, ciphertext, tag]`, base64url.
 */
export function sealBytes(
  plain: Buffer,
  aad: string,
  masterKey: MasterKey,
  random: (size: number) => Buffer = randomBytes,
): [string, string, string] {
  const iv = random(12);
  const cipher = createCipheriv('aes-256-gcm', masterKey.bytes, iv);
  cipher.setAAD(Buffer.from(aad));
  const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()]);
  return [iv, ciphertext, cipher.getAuthTag()].map((b) => b.toString('base64url')) as [
    string,
    string,
    string,
  ];
}

/** The plaintext of sealBytes' parts; throws when they were altered or `aad` differs. */
export function openBytes(
  parts: readonly [string, string, string],
  aad: string,
  masterKey: MasterKey,
): Buffer {
  const [iv, ciphertext, tag] = parts;
  const decipher = createDecipheriv('aes-256-gcm', masterKey.bytes, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]);
}

/**
 * The parts of a sealed text `<prefix>:<master key id>:<iv>:<ciphertext>:<tag>` (prefix `name:v1`),
 * or undefined when it is not in that format.
 */
export function parseSealed(
  text: string,
  prefix: string,
): { keyId: string; parts: [string, string, string] } | undefined {
  const fields = text.split(':');
  if (fields.length !== 6 || `${fields[0]}:${fields[1]}` !== prefix) return undefined;
  const [, , keyId, iv, ciphertext, tag] = fields as [string, string, string, string, string, string];
  return { keyId, parts: [iv, ciphertext, tag] };
}

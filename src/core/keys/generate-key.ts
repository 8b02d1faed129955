import { createPrivateKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import {
  algorithmOf,
  type PublicJwk,
  rsaModulusBits,
  type SigningAlgorithm,
  toPublicJwk,
} from './public-jwk.ts';

export const defaultRsaModulusBits = 2048;
export const minRsaModulusBits = 2048;

/** A signing key in memory: the private key and what the JWKS publishes for it. */
export interface KeyMaterial {
  kid: string;
  privateKey: KeyObject;
  publicJwk: PublicJwk;
}

const generatePair = promisify(generateKeyPair);

const generateRsaKey = async (modulusBits: number): Promise<KeyObject> =>
  (await generatePair('rsa', { modulusLength: modulusBits, publicExponent: 0x10001 })).privateKey;

/**
 * A new RSA signing key. Generation is slow (~100 ms and more for 2048 bits) and runs off the event loop;
 * tests inject fixed material through keyMaterialFrom instead. A key whose kid (a base64url thumbprint)
 * starts with `-` is set aside for another: on a command line such a kid reads as an option
 * (`envid keys revoke -Qh3…` fails as an unknown option), 1 key in 64.
 */
export async function generateKeyMaterial(
  modulusBits: number = defaultRsaModulusBits,
  generate: (modulusBits: number) => Promise<KeyObject> = generateRsaKey,
): Promise<KeyMaterial> {
  checkModulusBits(modulusBits);
  for (;;) {
    const material = keyMaterialFrom(await generate(modulusBits));
    if (!material.kid.startsWith('-')) return material;
  }
}

const generateP256Key = async (): Promise<KeyObject> =>
  (await generatePair('ec', { namedCurve: 'P-256' })).privateKey;

/** A new signing key for `algorithm`: RSA of `modulusBits` for RS256, P-256 for ES256 (fast, ~1 ms). */
export async function generateKeyMaterialFor(
  algorithm: SigningAlgorithm,
  modulusBits: number = defaultRsaModulusBits,
): Promise<KeyMaterial> {
  return algorithm === 'ES256'
    ? generateKeyMaterial(modulusBits, generateP256Key)
    : generateKeyMaterial(modulusBits);
}

/** Key material from an existing RSA or P-256 private key (KeyObject, PEM, or PKCS8 DER). */
export function keyMaterialFrom(key: KeyObject | string | Buffer): KeyMaterial {
  const privateKey =
    typeof key === 'string'
      ? createPrivateKey(key)
      : Buffer.isBuffer(key)
        ? createPrivateKey({ key, format: 'der', type: 'pkcs8' })
        : key;
  if (privateKey.type !== 'private') throw new Error('a signing key must be a private key');
  if (algorithmOf(privateKey) === 'RS256') checkModulusBits(rsaModulusBits(privateKey));
  const publicJwk = toPublicJwk(privateKey);
  return { kid: publicJwk.kid, privateKey, publicJwk };
}

export function checkModulusBits(bits: number): void {
  if (!Number.isInteger(bits) || bits < minRsaModulusBits) {
    throw new Error(`RSA signing keys need at least ${minRsaModulusBits} bits; got ${bits}`);
  }
}

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decryptPrivateKey, encryptPrivateKey, KeyDecryptionError } from '../../src/core/keys/encrypt-key.ts';
import { keyMaterialFrom } from '../../src/core/keys/generate-key.ts';
import {
  generateMasterKey,
  MasterKeyError,
  masterKeyFromBytes,
  parseMasterKey,
} from '../../src/core/keys/master-key.ts';
import { thrown } from '../support/thrown.ts';

const material = keyMaterialFrom(
  readFileSync(new URL('../fixtures/signing-key-1.pem', import.meta.url), 'utf8'),
);
const master = masterKeyFromBytes(Buffer.alloc(32, 7));
const other = masterKeyFromBytes(Buffer.alloc(32, 8));

describe('private key encryption at rest', () => {
  it('round-trips and never stores the key in the clear', () => {
    const stored = encryptPrivateKey(material.privateKey, material.kid, master);
    expect(stored).toMatch(/^envid-key:v1:[\w-]{11}:[\w-]+:[\w-]+:[\w-]+$/);
    const der = material.privateKey.export({ format: 'der', type: 'pkcs8' });
    expect(stored).not.toContain(der.subarray(40, 80).toString('base64url'));
    const back = decryptPrivateKey(stored, material.kid, master);
    expect(back.export({ format: 'der', type: 'pkcs8' }).equals(der)).toBe(true);
    // A fresh IV each time.
    expect(encryptPrivateKey(material.privateKey, material.kid, master)).not.toBe(stored);
  });

  it('refuses a wrong master key with a message that says so, naming both key IDs and no secret', () => {
    const stored = encryptPrivateKey(material.privateKey, material.kid, master);
    const error = thrown(() => decryptPrivateKey(stored, material.kid, other), KeyDecryptionError);
    expect(error).toBeInstanceOf(KeyDecryptionError);
    expect(error.message).toContain(`encrypted under master key ${master.id}`);
    expect(error.message).toContain(`configured master key is ${other.id}`);
    expect(error.message).toContain('ENVID_MASTER_KEY');
    expect(error.message).not.toContain(master.bytes.toString('base64'));
  });

  it('refuses a key altered, moved to another kid, or in an unknown format', () => {
    const stored = encryptPrivateKey(material.privateKey, material.kid, master);
    const parts = stored.split(':');
    const ct = Buffer.from(parts[4]!, 'base64url');
    ct[0] = ct[0]! ^ 1;
    parts[4] = ct.toString('base64url');
    expect(() => decryptPrivateKey(parts.join(':'), material.kid, master)).toThrow(
      /cannot be decrypted: the stored key was altered/,
    );
    expect(() => decryptPrivateKey(stored, 'another-kid', master)).toThrow(KeyDecryptionError);
    expect(() => decryptPrivateKey('-----BEGIN PRIVATE KEY-----', material.kid, master)).toThrow(
      /not in a format/,
    );
    expect(() => decryptPrivateKey(stored.replace('v1', 'v9'), material.kid, master)).toThrow(
      /not in a format/,
    );
  });
});

describe('master key parsing', () => {
  const bytes = Buffer.from(Array.from({ length: 32 }, (_, i) => i * 7));

  it('reads 64 hex digits, base64 and base64url, with surrounding whitespace', () => {
    const id = masterKeyFromBytes(bytes).id;
    expect(parseMasterKey(bytes.toString('hex')).id).toBe(id);
    expect(parseMasterKey(`${bytes.toString('base64')}\n`).id).toBe(id);
    expect(parseMasterKey(bytes.toString('base64url')).id).toBe(id);
    expect(parseMasterKey(bytes.toString('hex')).bytes.equals(bytes)).toBe(true);
  });

  it.each([
    ['', /ENVID_MASTER_KEY is empty/],
    ['abc', /not a master key: it must be 32 bytes .* \(got 3 characters\)/],
    ['z'.repeat(64), /not a master key/],
    [Buffer.alloc(31).toString('base64'), /not a master key/],
    [Buffer.alloc(33).toString('hex'), /not a master key/],
  ])('refuses %j with a clear message', (text, message) => {
    expect(() => parseMasterKey(text)).toThrow(MasterKeyError);
    expect(() => parseMasterKey(text)).toThrow(message);
  });

  it('names the source and never echoes the value', () => {
    const secretish = 'my-secret-master-key-that-is-too-short';
    expect(() => parseMasterKey(secretish, '/data/master-key')).toThrow(
      /^\/data\/master-key is not a master key/,
    );
    try {
      parseMasterKey(secretish);
    } catch (error) {
      expect((error as Error).message).not.toContain(secretish);
    }
  });

  it('generates a key whose text form parses back to it', () => {
    const { key, text } = generateMasterKey();
    expect(parseMasterKey(text).id).toBe(key.id);
    expect(key.bytes).toHaveLength(32);
  });
});

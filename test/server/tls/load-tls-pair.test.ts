import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTlsPair, looseKeyMode } from '../../../src/server/tls/load-tls-pair.ts';

// A pair that loads, and one whose key is not the certificate's, are in test/e2e/serve-tls.test.ts
// (they need the openssl command); these refusals need no certificate.
describe('loading the TLS pair', () => {
  const dir = mkdtempSync(join(tmpdir(), 'envid-tls-unit-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, content: string | Buffer, mode = 0o600) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    chmodSync(path, mode);
    return path;
  };

  it('refuses a missing file, a file that is not PEM and one over 1 MiB, naming the flag', () => {
    const pem = file('cert.pem', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    expect(() => loadTlsPair({ certFile: join(dir, 'none.pem'), keyFile: pem })).toThrow(
      `--tls-cert (ENVID_TLS_CERT): cannot read ${join(dir, 'none.pem')} (ENOENT)`,
    );
    const der = file('key.der', Buffer.from([0x30, 0x82, 0x01, 0x22]));
    expect(() => loadTlsPair({ certFile: pem, keyFile: der })).toThrow(
      `--tls-key (ENVID_TLS_KEY): ${der} is not PEM (no -----BEGIN line)`,
    );
    const huge = file('huge.pem', `-----BEGIN CERTIFICATE-----\n${'A'.repeat(1024 * 1024)}\n`);
    expect(() => loadTlsPair({ certFile: huge, keyFile: pem })).toThrow(/is over 1 MiB; expected PEM/);
  });

  it('refuses PEM that is no certificate and key, without its contents in the message', () => {
    const secret = 'c2VjcmV0LWtleS1tYXRlcmlhbA';
    const cert = file('bad-cert.pem', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    const key = file('bad-key.pem', `-----BEGIN PRIVATE KEY-----\n${secret}\n-----END PRIVATE KEY-----\n`);
    let message = '';
    try {
      loadTlsPair({ certFile: cert, keyFile: key });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^--tls-cert and --tls-key \(.*\): not a PEM certificate chain and private key/);
    expect(message).not.toContain(secret);
  });

  it('tells a key file others may read from one only its owner may', () => {
    expect(looseKeyMode(file('private.pem', 'x', 0o600))).toBeUndefined();
    expect(looseKeyMode(file('group.pem', 'x', 0o640))).toBe('0640');
    expect(looseKeyMode(file('world.pem', 'x', 0o644))).toBe('0644');
  });
});

import { describe, expect, it } from 'vitest';
import { checkDiscovery, checkJwks } from '../../src/cli/discovery/issuer-documents.ts';
import { CliError } from '../../src/shared/exit-codes.ts';

const discovery = (fields: Record<string, unknown>) =>
  JSON.stringify({
    issuer: 'https://id.example.com/acme',
    jwks_uri: 'https://id.example.com/acme/.well-known/jwks.json',
    ...fields,
  });

const refusal = (work: () => unknown) => {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    return { message: (error as CliError).message, code: (error as CliError).exitCode };
  }
  throw new Error('not refused');
};

describe('the documents discovery export writes', () => {
  it('places the JWKS at its path under the issuer, with or without an issuer path', () => {
    expect(checkDiscovery(discovery({}), undefined)).toEqual({
      issuer: 'https://id.example.com/acme',
      jwksPath: '/.well-known/jwks.json',
    });
    const root = discovery({
      issuer: 'https://id.example.com/',
      jwks_uri: 'https://id.example.com/keys/jwks.json',
    });
    expect(checkDiscovery(root, 'https://id.example.com/').jwksPath).toBe('/keys/jwks.json');
  });

  it('refuses an issuer a static host cannot serve, saying what to set', () => {
    expect(refusal(() => checkDiscovery(discovery({ issuer: 'http://id.example.com' }), undefined))).toEqual({
      code: 2,
      message: expect.stringContaining(
        'relying parties accept only an https issuer; start envid serve with --issuer',
      ),
    });
    const loopback = discovery({
      issuer: 'https://127.0.0.1:8443',
      jwks_uri: 'https://127.0.0.1:8443/.well-known/jwks.json',
    });
    expect(refusal(() => checkDiscovery(loopback, undefined)).message).toContain('its own loopback address');
    expect(refusal(() => checkDiscovery(discovery({}), 'https://id.example.com')).message).toContain(
      "the server's issuer is https://id.example.com/acme, not https://id.example.com (--issuer)",
    );
  });

  it('refuses a jwks_uri that has no place under the issuer', () => {
    for (const jwksUri of [
      'https://keys.example.com/jwks.json',
      'https://id.example.com/acmeX/jwks.json',
      'https://id.example.com/acme/jwks.json?v=1',
    ]) {
      expect(refusal(() => checkDiscovery(discovery({ jwks_uri: jwksUri }), undefined)).message).toMatch(
        /jwks_uri \S+ is not (under the issuer \S+|a plain path under the issuer); nothing written$/,
      );
    }
    expect(refusal(() => checkDiscovery('{"issuer": 1}', undefined)).message).toContain(
      'no "issuer" or "jwks_uri"',
    );
    expect(refusal(() => checkDiscovery('<html>', undefined)).message).toContain('is not a JSON object');
  });

  it('refuses a JWKS with a private member or a key without kid, and names the key IDs of a good one', () => {
    const key = { kty: 'RSA', kid: 'k1', n: 'AQAB', e: 'AQAB' };
    expect(checkJwks(JSON.stringify({ keys: [key, { ...key, kid: 'k2' }] }))).toEqual(['k1', 'k2']);
    expect(refusal(() => checkJwks(JSON.stringify({ keys: [{ ...key, d: 'secret' }] })))).toEqual({
      code: 1,
      message: expect.stringContaining('JWKS key k1 has the private member "d"'),
    });
    expect(refusal(() => checkJwks(JSON.stringify({ keys: [{ kty: 'RSA' }] }))).message).toContain(
      'has no "kid"',
    );
    expect(refusal(() => checkJwks('{"keys": []}')).message).toContain('the JWKS has no "keys"');
  });
});

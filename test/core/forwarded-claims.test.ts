import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  forwardedClaimNameProblem,
  forwardedClaimsOf,
  looksLikeSecret,
  maxForwardedClaims,
  maxForwardedClaimsSize,
  maxForwardedListLength,
  maxForwardedValueLength,
} from '../../src/core/sso/forwarded-claims.ts';

const protocol = ['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'nonce', 'at_hash', 'c_hash', 'auth_time'];
const moreProtocol = ['azp', 'sid', 'jti', 'acr', 'amr', 's_hash', '_claim_names', '_claim_sources'];
const jwt =
  'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';

describe('forwardedClaimsOf', () => {
  const upstream = {
    iss: 'https://sso.example.com',
    sub: 'ada',
    aud: 'envid',
    exp: 1,
    nonce: 'n',
    at_hash: 'abc',
    groups: ['envid-users', 'ops'],
    preferred_username: 'ada',
    email_verified: true,
    age: 37,
    address: { country: 'UK' },
    mixed: ['a', 1],
    id_token: 'x',
    refresh_token: 'y',
    client_secret: 'z',
    user_password: 'p',
    embedded: jwt,
    github: 'ghp_0123456789abcdefghijklmnopqrstuvwxyzAB',
    oid: '5f2c8f0e-8c3d-4f5e-9a4b-0c1d2e3f4a5b',
  };

  it('forwards the named string and string-list claims, in the configured order', () => {
    expect(forwardedClaimsOf(upstream, ['preferred_username', 'groups', 'oid', 'missing'])).toEqual({
      preferred_username: 'ada',
      groups: ['envid-users', 'ops'],
      oid: '5f2c8f0e-8c3d-4f5e-9a4b-0c1d2e3f4a5b',
    });
    expect(Object.keys(forwardedClaimsOf(upstream, ['oid', 'groups']))).toEqual(['oid', 'groups']);
  });

  it('never forwards protocol claims, even when the configuration names them', () => {
    expect(forwardedClaimsOf(upstream, [...protocol, ...moreProtocol])).toEqual({});
    for (const name of [...protocol, ...moreProtocol])
      expect(forwardedClaimNameProblem(name)).toBe('is a protocol claim, not a claim about the user');
  });

  it('never forwards what is named or shaped like a token or secret', () => {
    expect(
      forwardedClaimsOf(upstream, [
        'id_token',
        'refresh_token',
        'client_secret',
        'user_password',
        'embedded',
      ]),
    ).toEqual({});
    expect(forwardedClaimsOf(upstream, ['github'])).toEqual({});
    expect(forwardedClaimsOf({ groups: ['ops', jwt] }, ['groups'])).toEqual({});
    expect(looksLikeSecret('envid_pat_0123456789abcdef')).toBe(true);
    expect(looksLikeSecret('AKIAIOSFODNN7EXAMPLE')).toBe(true);
    expect(looksLikeSecret('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY42')).toBe(true);
    expect(looksLikeSecret('5f2c8f0e-8c3d-4f5e-9a4b-0c1d2e3f4a5b')).toBe(false);
    expect(looksLikeSecret('CN=Developers,OU=Groups,DC=example,DC=com')).toBe(false);
  });

  it('drops other types, empty values and lists holding anything but non-empty strings', () => {
    expect(
      forwardedClaimsOf({ ...upstream, blank: '', none: [], holes: ['a', ''] }, [
        'email_verified',
        'age',
        'address',
        'mixed',
        'blank',
        'none',
        'holes',
      ]),
    ).toEqual({});
  });

  it('forwards a claim whole or not at all at the limits', () => {
    const long = 'a'.repeat(maxForwardedValueLength);
    expect(forwardedClaimsOf({ long, longer: `${long}a` }, ['long', 'longer'])).toEqual({ long });
    const list = Array.from({ length: maxForwardedListLength }, (_, i) => `g${i}`);
    expect(forwardedClaimsOf({ list, more: [...list, 'x'] }, ['list', 'more'])).toEqual({ list });
    const many = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`c${i}`, 'v']));
    const forwarded = forwardedClaimsOf(many, Object.keys(many));
    expect(Object.keys(forwarded)).toEqual(Object.keys(many).slice(0, maxForwardedClaims));
  });

  it('keeps the whole set within its size, skipping a claim that does not fit', () => {
    const big = (c: string) => Array.from({ length: 10 }, () => c.repeat(maxForwardedValueLength));
    const claims = { a: big('a'), b: big('b'), small: 'fits' };
    const forwarded = forwardedClaimsOf(claims, ['a', 'b', 'small']);
    expect(Object.keys(forwarded)).toEqual(['a', 'small']);
    expect(JSON.stringify(forwarded).length).toBeLessThanOrEqual(maxForwardedClaimsSize);
  });

  it('treats __proto__ and inherited members as absent', () => {
    const claims = JSON.parse('{"__proto__": "x", "team": "t"}') as Record<string, unknown>;
    expect(forwardedClaimsOf(claims, ['__proto__', 'constructor', 'toString', 'team'])).toEqual({
      team: 't',
    });
  });

  describe('properties', () => {
    const claimName = fc.oneof(
      fc.constantFrom(...protocol, ...moreProtocol, 'groups', 'roles', 'access_token', 'team', '__proto__'),
      fc.string({ minLength: 0, maxLength: 12 }),
    );
    const claimValue = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.array(fc.string({ maxLength: 30 }), { maxLength: 5 }),
      fc.constant(jwt),
      fc.jsonValue(),
    );
    const upstreamClaims = fc.dictionary(claimName, claimValue, { maxKeys: 20 });
    const forwardList = (claims: Record<string, unknown>) =>
      fc.subarray([...Object.keys(claims), 'absent', 'iss'], {}).chain((names) => fc.shuffledSubarray(names));

    it('answers only named, forwardable claims, each exactly as the upstream sent it', () => {
      fc.assert(
        fc.property(
          upstreamClaims.chain((claims) => fc.tuple(fc.constant(claims), forwardList(claims))),
          ([claims, forward]) => {
            const before = structuredClone(claims);
            const out = forwardedClaimsOf(claims, forward);
            expect(claims).toEqual(before);
            for (const [name, value] of Object.entries(out)) {
              expect(forward).toContain(name);
              expect(forwardedClaimNameProblem(name)).toBeUndefined();
              expect(value).toEqual(claims[name]);
              if (Array.isArray(value)) expect(value).not.toBe(claims[name]);
              for (const entry of typeof value === 'string' ? [value] : value) {
                expect(typeof entry).toBe('string');
                expect(entry).not.toBe('');
                expect(looksLikeSecret(entry)).toBe(false);
              }
            }
            expect(Object.keys(out).length).toBeLessThanOrEqual(maxForwardedClaims);
          },
        ),
      );
    });

    it('is idempotent: forwarding what was forwarded changes nothing', () => {
      fc.assert(
        fc.property(upstreamClaims, (claims) => {
          const once = forwardedClaimsOf(claims, Object.keys(claims));
          expect(forwardedClaimsOf(once, Object.keys(once))).toEqual(once);
        }),
      );
    });

    it('never forwards a JWT-shaped value, whatever its name', () => {
      const segment = fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/);
      fc.assert(
        fc.property(
          fc.tuple(segment, segment, segment),
          fc.string({ minLength: 1, maxLength: 10 }),
          (parts, name) => {
            const token = `eyJ${parts.join('.')}`;
            expect(forwardedClaimsOf({ [name]: token }, [name])).toEqual({});
            expect(forwardedClaimsOf({ [name]: ['ok', token] }, [name])).toEqual({});
          },
        ),
      );
    });
  });
});

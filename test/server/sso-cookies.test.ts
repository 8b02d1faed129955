import { describe, expect, it } from 'vitest';
import { cookie, readCookies } from '../../src/server/sso/cookies.ts';

describe('SSO cookies', () => {
  it('are HttpOnly and SameSite=Lax always, Secure only when asked (envid served over https)', () => {
    expect(cookie('envid_session', 'v', { path: '/', maxAgeSeconds: 60, secure: false })).toBe(
      'envid_session=v; Path=/; Max-Age=60; HttpOnly; SameSite=Lax',
    );
    expect(cookie('envid_session', 'v', { path: '/', maxAgeSeconds: 60, secure: true })).toBe(
      'envid_session=v; Path=/; Max-Age=60; HttpOnly; SameSite=Lax; Secure',
    );
  });

  it('reads a Cookie header; the first of a repeated name wins; junk is skipped', () => {
    const cookies = readCookies('a=1; b=2=3; junk; a=4; =x');
    expect([...cookies]).toEqual([
      ['a', '1'],
      ['b', '2=3'],
    ]);
    expect(readCookies(undefined).size).toBe(0);
  });
});

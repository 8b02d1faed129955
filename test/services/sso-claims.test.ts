import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.ts';
import type { IdpClaims } from '../../src/core/domain/idp-claims.ts';
import { newId } from '../../src/core/ids.ts';
import { applySignInClaims } from '../../src/services/sso-claims.ts';
import { newUser } from '../../src/store/conformance/fixtures.ts';
import type { Store } from '../../src/store/store.ts';
import { engines, openTestStore } from '../support/databases.ts';

/** applySignInClaims: what a sign-in writes to its user, and the bad input it refuses without writing. */
describe.each(engines)('applySignInClaims on %s', (engine) => {
  let store: Store;
  let dispose: () => Promise<void>;
  const clock = new ManualClock();
  const issuer = 'https://sso.example.com/';
  beforeAll(async () => {
    ({ store, dispose } = await openTestStore(engine));
  });
  afterAll(() => dispose());

  it('replaces idp and idp_claims: a claim the new sign-in lacks is gone', async () => {
    const user = await store.users.insert(
      newUser({ idp: 'https://old.example.com', idpClaims: { groups: ['a', 'b'], team: 't' } }),
    );
    const applied = await applySignInClaims(store, clock, {
      userId: user.id,
      issuer,
      claims: { groups: ['a'] },
    });
    expect(applied).toStrictEqual({ ...user, idp: issuer, idpClaims: { groups: ['a'] } });
    expect(await store.users.get(user.id)).toStrictEqual(applied);
    await applySignInClaims(store, clock, { userId: user.id, issuer, claims: {} });
    const { idpClaims: _, ...withoutClaims } = user;
    expect(await store.users.get(user.id)).toStrictEqual({ ...withoutClaims, idp: issuer });
  });

  it.each<[string, string, IdpClaims | Record<string, unknown>, RegExp]>([
    [
      'a protocol claim',
      issuer,
      { nonce: 'n' },
      /^claims\.nonce: is a protocol claim, not a claim about the user; it is never forwarded$/,
    ],
    ['a token-named claim', issuer, { id_token: 'x' }, /^claims\.id_token: names a token or secret/],
    [
      'a JWT-shaped value',
      issuer,
      { team: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln' },
      /^claims\.team: looks like a token or secret/,
    ],
    ['a number', issuer, { age: 3 }, /^claims\.age: is neither a string nor a list of strings/],
    ['an empty issuer', '', {}, /^issuer: must be a non-empty URL$/],
    ['an issuer that is not a URL', 'sso.example.com', {}, /^issuer: must be an absolute http\(s\) URL/],
    ['a non-http issuer', 'ftp://sso.example.com', {}, /^issuer: must be an absolute http\(s\) URL/],
  ])('refuses %s, naming the field, and changes nothing', async (_what, badIssuer, claims, message) => {
    const user = await store.users.insert(
      newUser({ idp: 'https://old.example.com', idpClaims: { team: 't' } }),
    );
    await expect(
      applySignInClaims(store, clock, { userId: user.id, issuer: badIssuer, claims: claims as IdpClaims }),
    ).rejects.toMatchObject({ code: 'invalid_argument', message: expect.stringMatching(message) });
    expect(await store.users.get(user.id)).toStrictEqual(user);
  });

  it('answers not_found for an unknown user', async () => {
    const id = newId();
    await expect(applySignInClaims(store, clock, { userId: id, issuer, claims: {} })).rejects.toMatchObject({
      code: 'not_found',
      message: `user ${id} not found`,
    });
  });
});

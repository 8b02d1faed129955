import { createLocalJWKSet, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.ts';
import { generateKeyMaterial, type KeyMaterial } from '../../src/core/keys/generate-key.ts';
import { buildJwks, type Jwks } from '../../src/core/keys/jwks.ts';
import {
  applyRotationPlan,
  planRotation,
  type RotationDecision,
  type RotationKey,
  type RotationRequest,
} from '../../src/core/keys/plan-rotation.ts';
import {
  defaultRotationPolicy,
  type RotationPolicy,
  RotationPolicyError,
  validateRotationPolicy,
} from '../../src/core/keys/rotation-policy.ts';
import { issueToken } from '../../src/core/tokens/issue-token.ts';
import { prepareSigningKey } from '../../src/core/tokens/token-signer.ts';
import { subjects } from '../tokens/principals.ts';

type Key = RotationKey & { material?: KeyMaterial };

/** One scheduler pass the way a server runs it: keys generated first, then plan again and apply (the "transaction"). */
async function rotate(
  state: { keys: Key[] },
  now: Date,
  policy: RotationPolicy,
  newKey: () => Promise<Key>,
  request: RotationRequest = {},
): Promise<RotationDecision[]> {
  const draft = planRotation(state.keys, now, policy, request);
  const pool = await Promise.all(draft.decisions.filter((d) => d.action === 'create').map(() => newKey()));
  // Inside the transaction: re-read and re-plan; another replica may have done the work meanwhile.
  const plan = planRotation(state.keys, now, policy, request);
  const applied = applyRotationPlan(state.keys, plan, now, () => {
    const key = pool.shift();
    if (!key) throw new Error('plan asked for more keys than were generated');
    return key;
  });
  state.keys = applied.keys;
  return plan.decisions;
}

const fakeKey = (() => {
  let n = 0;
  return async (): Promise<Key> => ({ id: `key-${++n}`, state: 'next', publishedAt: new Date(0) });
})();

describe('rotation policy', () => {
  it('refuses a rotation period shorter than the longest token lifetime plus the JWKS max-age', () => {
    expect(() => validateRotationPolicy({ ...defaultRotationPolicy, rotationPeriodSeconds: 3899 })).toThrow(
      RotationPolicyError,
    );
    expect(() => validateRotationPolicy({ ...defaultRotationPolicy, rotationPeriodSeconds: 3899 })).toThrow(
      /3899 s is shorter than the longest token lifetime plus the JWKS max-age \(3900 s\)/,
    );
    expect(validateRotationPolicy({ ...defaultRotationPolicy, rotationPeriodSeconds: 3900 })).toBeTruthy();
    expect(() => validateRotationPolicy({ ...defaultRotationPolicy, jwksMaxAgeSeconds: 1.5 })).toThrow(
      /whole number/,
    );
    expect(validateRotationPolicy(defaultRotationPolicy)).toBe(defaultRotationPolicy);
  });
});

describe('key rotation with signed tokens', () => {
  // Short period so that 10+ rotations are ~24 simulated hours of one-minute ticks.
  const policy = validateRotationPolicy({
    rotationPeriodSeconds: 7200,
    jwksMaxAgeSeconds: 300,
    maxTokenLifetimeSeconds: 3600,
    marginSeconds: 120,
  });

  it('every token verifies against the published JWKS until it expires; no key signs before it was published > max-age', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const state: { keys: Key[] } = { keys: [] };
    const newKey = async (): Promise<Key> => {
      const material = await generateKeyMaterial();
      return { id: material.kid, state: 'next', publishedAt: clock.now(), material };
    };
    const snapshots: { at: number; jwks: Jwks; kids: Set<string> }[] = [];
    const tokens: { token: string; kid: string; iat: number; exp: number }[] = [];
    const firstSeen = new Map<string, number>();
    let rotations = 0;
    let onDemand = 0;
    let bootstrapKid: string | undefined;
    let onDemandWanted = false;

    for (let tick = 0; rotations < 11; tick++) {
      // Uneven steps (41-79 s) so that decisions do not line up with round numbers.
      clock.advance((41 + ((tick * 37) % 39)) * 1000);
      const now = clock.now();
      // After every third rotation, ask for one on demand at once and keep asking: it must still wait
      // until the (young) next key has been published long enough.
      const request = onDemandWanted ? { rotate: true } : {};
      const decisions = await rotate(state, now, policy, newKey, request);
      for (const d of decisions) {
        if (d.action === 'promote' && (d.reason === 'scheduled' || d.reason === 'on_demand')) {
          rotations++;
          onDemandWanted = d.reason === 'scheduled' && rotations % 3 === 0;
        }
        if (d.action === 'promote' && d.reason === 'on_demand') onDemand++;
        if (d.action === 'create' && d.state === 'current')
          bootstrapKid = state.keys.find((k) => k.state === 'current')!.id;
      }
      const jwks = buildJwks(state.keys.map((k) => ({ state: k.state, publicJwk: k.material!.publicJwk })));
      snapshots.push({ at: now.getTime(), jwks, kids: new Set(jwks.keys.map((k) => k.kid)) });
      for (const k of state.keys) if (!firstSeen.has(k.id)) firstSeen.set(k.id, now.getTime());
      expect(jwks.keys.length).toBeLessThanOrEqual(4);

      const current = state.keys.filter((k) => k.state === 'current');
      expect(current).toHaveLength(1);
      const signer = current[0]!;
      if (signer.id !== bootstrapKid) {
        // Published (in the JWKS served) for longer than max-age before this signature.
        expect(now.getTime() - firstSeen.get(signer.id)!).toBeGreaterThan(policy.jwksMaxAgeSeconds * 1000);
      }
      const { token, claims } = issueToken({
        issuer: 'https://envid.example.com',
        audiences: ['sts.amazonaws.com'],
        now,
        jti: `jti-${tick}`,
        subject: subjects.projectEnvironment,
        oidcConfig: { version: 'v3', extraSubFields: [] },
        key: prepareSigningKey(signer.material!.kid, signer.material!.privateKey),
      });
      tokens.push({ token, kid: signer.id, iat: claims.iat * 1000, exp: claims.exp * 1000 });
    }
    expect(onDemand).toBeGreaterThan(0);
    expect(rotations).toBeGreaterThanOrEqual(10);
    expect(new Set(tokens.map((t) => t.kid)).size).toBeGreaterThanOrEqual(11);

    const end = snapshots.at(-1)!.at;
    for (const t of tokens) {
      // A relying party may hold a JWKS fetched up to max-age before any moment of the token's life;
      // every such copy, from the first JWKS ever served on, must hold the token's key.
      const from = t.iat - policy.jwksMaxAgeSeconds * 1000;
      const window = snapshots.filter((s) => s.at >= from && s.at <= t.exp);
      for (const s of window) {
        if (t.kid === bootstrapKid && s.at < t.iat) continue;
        expect(s.kids.has(t.kid), `token of ${t.kid} at ${s.at - t.iat} ms`).toBe(true);
      }
      // docs/tokens.md#lifecycle: published for at least the longest token lifetime plus max-age after it last signed.
      for (const s of snapshots.filter((s) => s.at > t.exp && s.at <= t.iat + (3600 + 300) * 1000)) {
        expect(s.kids.has(t.kid), `key ${t.kid} gone ${s.at - t.exp} ms after exp`).toBe(true);
      }
      if (t.exp > end) continue;
      // Full verification with jose against the JWKS served at issue time and just before expiry.
      const last = window.at(-1)!;
      for (const s of [window.find((w) => w.at >= t.iat)!, last]) {
        await jwtVerify(t.token, createLocalJWKSet(s.jwks), {
          currentDate: new Date(Math.min(s.at, t.exp - 1000)),
        });
      }
    }
    // Retired keys do leave the JWKS eventually.
    expect(snapshots.at(-1)!.kids.size).toBeLessThan(firstSeen.size);
  }, 60_000);
});

describe('rotation plan decisions', () => {
  const policy = defaultRotationPolicy;
  const t0 = new Date(Date.UTC(2026, 0, 1));
  const plus = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

  it('on an empty key set creates a current key (nothing could sign otherwise) and a next key', () => {
    expect(planRotation([], t0, policy).decisions).toEqual([
      { action: 'create', state: 'current', reason: 'bootstrap' },
      { action: 'create', state: 'next', reason: 'next_key' },
    ]);
  });

  it('on demand waits until the next key has been published longer than max-age plus margin', () => {
    const keys: RotationKey[] = [
      { id: 'a', state: 'current', publishedAt: t0, activatedAt: t0 },
      { id: 'b', state: 'next', publishedAt: plus(100) },
    ];
    const early = planRotation(keys, plus(600), policy, { rotate: true });
    expect(early.decisions).toEqual([]);
    expect(early.nextCheckAt.getTime()).toBe(plus(100 + 600).getTime() + 1);
    expect(planRotation(keys, plus(701), policy, { rotate: true }).decisions).toEqual([
      { action: 'retire', kid: 'a', reason: 'rotated' },
      { action: 'promote', kid: 'b', reason: 'on_demand' },
      { action: 'create', state: 'next', reason: 'next_key' },
    ]);
    expect(planRotation(keys, plus(701), policy).decisions).toEqual([]);
  });

  it('emergency revocation drops the key at once and promotes the next key', () => {
    const keys: RotationKey[] = [
      { id: 'a', state: 'current', publishedAt: t0, activatedAt: t0 },
      { id: 'b', state: 'next', publishedAt: plus(10) },
      { id: 'r', state: 'retired', publishedAt: t0, activatedAt: t0, retiredAt: plus(5) },
    ];
    expect(planRotation(keys, plus(20), policy, { revoke: ['a'] }).decisions).toEqual([
      { action: 'remove', kid: 'a', reason: 'revoked' },
      { action: 'promote', kid: 'b', reason: 'emergency' },
      { action: 'create', state: 'next', reason: 'next_key' },
    ]);
    expect(planRotation(keys, plus(20), policy, { revoke: ['a', 'b'] }).decisions).toEqual([
      { action: 'remove', kid: 'a', reason: 'revoked' },
      { action: 'remove', kid: 'b', reason: 'revoked' },
      { action: 'create', state: 'current', reason: 'emergency' },
      { action: 'create', state: 'next', reason: 'next_key' },
    ]);
    expect(planRotation(keys, plus(20), policy, { revoke: ['r'] }).decisions).toEqual([
      { action: 'remove', kid: 'r', reason: 'revoked' },
    ]);
  });

  it('keeps a retired key for the longest token lifetime plus max-age plus margin', () => {
    const keys: RotationKey[] = [
      { id: 'a', state: 'current', publishedAt: t0, activatedAt: plus(1000) },
      { id: 'b', state: 'next', publishedAt: plus(1000) },
      { id: 'r', state: 'retired', publishedAt: t0, activatedAt: t0, retiredAt: plus(1000) },
    ];
    const keep = 3600 + 300 + 300;
    expect(planRotation(keys, plus(1000 + keep - 1), policy).decisions).toEqual([]);
    expect(planRotation(keys, plus(1000 + keep - 1), policy).nextCheckAt).toEqual(plus(1000 + keep));
    expect(planRotation(keys, plus(1000 + keep), policy).decisions).toEqual([
      { action: 'remove', kid: 'r', reason: 'expired' },
    ]);
  });

  it('repairs a key set with two current or two next keys', () => {
    const keys: RotationKey[] = [
      { id: 'old', state: 'current', publishedAt: t0, activatedAt: t0 },
      { id: 'new', state: 'current', publishedAt: t0, activatedAt: plus(5) },
      { id: 'n1', state: 'next', publishedAt: plus(6) },
      { id: 'n2', state: 'next', publishedAt: plus(7) },
    ];
    expect(planRotation(keys, plus(10), policy).decisions).toEqual([
      { action: 'retire', kid: 'old', reason: 'superseded' },
      { action: 'remove', kid: 'n2', reason: 'duplicate' },
    ]);
  });

  it('two replicas planning at once create exactly one key', async () => {
    const state: { keys: Key[] } = { keys: [] };
    await rotate(state, t0, policy, fakeKey);
    const before = state.keys.length;
    const now = plus(policy.rotationPeriodSeconds);
    // Both replicas draft the same plan and generate a key...
    const draftA = planRotation(state.keys, now, policy);
    const draftB = planRotation(state.keys, now, policy);
    expect(draftA.decisions).toEqual(draftB.decisions);
    // ...then apply one after the other, each re-planning inside its transaction.
    await rotate(state, now, policy, fakeKey);
    const second = await rotate(state, now, policy, fakeKey);
    expect(second).toEqual([]);
    expect(state.keys.length).toBe(before + 1);
    expect(state.keys.filter((k) => k.state === 'current')).toHaveLength(1);
    expect(state.keys.filter((k) => k.state === 'next')).toHaveLength(1);
  });

  it('under the default policy, ten rotations keep every invariant', async () => {
    const clock = new ManualClock(t0);
    const state: { keys: Key[] } = { keys: [] };
    let rotations = 0;
    while (rotations < 10) {
      clock.advance(3600_000);
      const now = clock.now();
      const before = new Map(state.keys.map((k) => [k.id, k]));
      const decisions = await rotate(state, now, policy, fakeKey);
      for (const d of decisions) {
        if (d.action === 'promote') {
          rotations++;
          const key = before.get(d.kid)!;
          expect(now.getTime() - key.publishedAt.getTime()).toBeGreaterThan(policy.jwksMaxAgeSeconds * 1000);
        }
        if (d.action === 'remove') {
          const key = before.get(d.kid)!;
          expect(now.getTime() - key.retiredAt!.getTime()).toBeGreaterThanOrEqual(
            (policy.maxTokenLifetimeSeconds + policy.jwksMaxAgeSeconds) * 1000,
          );
        }
      }
      expect(state.keys.length).toBeLessThanOrEqual(3);
    }
  });
});

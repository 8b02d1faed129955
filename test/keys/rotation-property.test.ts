import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyRotationPlan, planRotation, type RotationKey } from '../../src/core/keys/plan-rotation.ts';
import { type RotationPolicy, validateRotationPolicy } from '../../src/core/keys/rotation-policy.ts';

type Step = { advanceSeconds: number; rotate: boolean; revoke: 'none' | 'next' | 'retired' | 'current' };

const step = fc.record({
  advanceSeconds: fc.integer({ min: 1, max: 4 * 3600 }),
  rotate: fc.boolean(),
  revoke: fc.constantFrom<Step['revoke']>('none', 'none', 'none', 'none', 'next', 'retired', 'current'),
});

const policy: RotationPolicy = validateRotationPolicy({
  rotationPeriodSeconds: 4 * 3600,
  jwksMaxAgeSeconds: 300,
  maxTokenLifetimeSeconds: 3600,
  marginSeconds: 60,
});

describe('rotation plan under any sequence of ticks, on-demand rotations and revocations (property)', () => {
  it('keeps one current key, publishes before signing, and keeps retired keys long enough', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 120 }), (steps) => {
        let t = Date.UTC(2026, 0, 1);
        let keys: RotationKey[] = [];
        let n = 0;
        const make = (): RotationKey => ({ id: `k${++n}`, state: 'next', publishedAt: new Date(0) });
        const revoked = new Set<string>();
        for (const s of steps) {
          t += s.advanceSeconds * 1000;
          const now = new Date(t);
          const target = s.revoke === 'none' ? undefined : keys.find((k) => k.state === s.revoke);
          if (target) revoked.add(target.id);
          const plan = planRotation(keys, now, policy, {
            rotate: s.rotate,
            revoke: target ? [target.id] : [],
          });
          const before = new Map(keys.map((k) => [k.id, k]));
          keys = applyRotationPlan(keys, plan, now, make).keys;

          expect(keys.filter((k) => k.state === 'current')).toHaveLength(1);
          expect(keys.filter((k) => k.state === 'next')).toHaveLength(1);
          for (const d of plan.decisions) {
            if (d.action === 'promote' && (d.reason === 'scheduled' || d.reason === 'on_demand')) {
              const age = t - before.get(d.kid)!.publishedAt.getTime();
              expect(age).toBeGreaterThan(policy.jwksMaxAgeSeconds * 1000);
            }
            if (d.action === 'remove' && !revoked.has(d.kid)) {
              const retiredAt = before.get(d.kid)!.retiredAt!.getTime();
              expect(t - retiredAt).toBeGreaterThanOrEqual(
                (policy.maxTokenLifetimeSeconds + policy.jwksMaxAgeSeconds) * 1000,
              );
            }
            if (d.action === 'remove' && revoked.has(d.kid)) expect(d.reason).toBe('revoked');
          }
          for (const id of revoked) expect(keys.some((k) => k.id === id)).toBe(false);
          // Applied plans are settled: planning again at once changes nothing, and nothing changes
          // before the time the plan says to check again (a scheduler may sleep until then).
          const again = planRotation(keys, now, policy);
          expect(again.decisions).toEqual([]);
          expect(again.nextCheckAt.getTime()).toBeGreaterThan(t);
          expect(planRotation(keys, new Date(again.nextCheckAt.getTime() - 1), policy).decisions).toEqual([]);
        }
      }),
      { numRuns: 300 },
    );
  });
});

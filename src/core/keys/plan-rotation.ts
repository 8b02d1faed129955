import type { SigningAlgorithm } from '../domain/public-jwk.ts';
import { publicationSeconds, type RotationPolicy, retentionSeconds } from './rotation-policy.ts';

export type KeyState = 'next' | 'current' | 'retired';

/** What the plan needs to know of a key; the stored SigningKey record has these fields. */
export interface RotationKey {
  id: string;
  state: KeyState;
  /** When it entered the JWKS (at creation). */
  publishedAt: Date;
  /** When it started signing. */
  activatedAt?: Date;
  /** When it stopped signing. */
  retiredAt?: Date;
}

export type RotationDecision =
  /** Generate a key; `current` only when nothing else can sign (first start, or revocation with no next key). */
  | { action: 'create'; state: 'next' | 'current'; reason: 'next_key' | 'bootstrap' | 'emergency' }
  | { action: 'promote'; kid: string; reason: 'scheduled' | 'on_demand' | 'no_current_key' | 'emergency' }
  | { action: 'retire'; kid: string; reason: 'rotated' | 'superseded' }
  | { action: 'remove'; kid: string; reason: 'expired' | 'revoked' | 'duplicate' };

export interface RotationRequest {
  /** Rotate now (admin API) instead of waiting for the period; still waits for the next key to be published long enough. */
  rotate?: boolean;
  /**
   * The algorithm `rotate` applies to (RS256 when absent). Naming an algorithm that has no keys yet
   * creates its keys (ES256 keys are made on first use: docs/decisions/0193). The key manager plans each
   * algorithm apart; planRotation itself sees the keys of one algorithm only.
   */
  algorithm?: SigningAlgorithm;
  /** Emergency: drop these keys from the JWKS at once. */
  revoke?: readonly string[];
}

export interface RotationPlan {
  decisions: RotationDecision[];
  /** When planning again can next change something (the scheduler may sleep until then). */
  nextCheckAt: Date;
}

const at = (date: Date | number, seconds: number): number =>
  (typeof date === 'number' ? date : date.getTime()) + seconds * 1000;

/**
 * The key lifecycle of docs/tokens.md#lifecycle as a pure decision: next -> current -> retired -> removed. The caller
 * generates keys outside its transaction, then re-reads the keys and plans again inside it and applies
 * that plan (dex's signer/rotation.go), so that replicas racing each other create one key, not two.
 */
export function planRotation(
  keys: readonly RotationKey[],
  now: Date,
  policy: RotationPolicy,
  request: RotationRequest = {},
): RotationPlan {
  const t = now.getTime();
  const decisions: RotationDecision[] = [];
  const wakeups: number[] = [];
  const revoke = new Set(request.revoke ?? []);
  let live = [...keys];

  const revokedCurrent = live.some((k) => revoke.has(k.id) && k.state === 'current');
  for (const key of live.filter((k) => revoke.has(k.id)))
    decisions.push({ action: 'remove', kid: key.id, reason: 'revoked' });
  live = live.filter((k) => !revoke.has(k.id));

  for (const key of live.filter((k) => k.state === 'retired')) {
    const until = at(key.retiredAt ?? key.publishedAt, retentionSeconds(policy));
    if (until <= t) {
      decisions.push({ action: 'remove', kid: key.id, reason: 'expired' });
      live = live.filter((k) => k !== key);
    } else wakeups.push(until);
  }

  // Normally one current and one next; more only after a fault, so keep the newest current and oldest next.
  const currents = live.filter((k) => k.state === 'current').sort((a, b) => activation(b) - activation(a));
  for (const extra of currents.slice(1))
    decisions.push({ action: 'retire', kid: extra.id, reason: 'superseded' });
  const nexts = live
    .filter((k) => k.state === 'next')
    .sort((a, b) => a.publishedAt.getTime() - b.publishedAt.getTime());
  for (const extra of nexts.slice(1))
    decisions.push({ action: 'remove', kid: extra.id, reason: 'duplicate' });
  let current = currents[0];
  let next = nexts[0];

  if (!current) {
    wakeups.push(at(now, policy.rotationPeriodSeconds));
    if (next) {
      // Nothing can sign: use the next key even if verifiers' caches may not know it yet (they refetch on an unknown kid).
      decisions.push({
        action: 'promote',
        kid: next.id,
        reason: revokedCurrent ? 'emergency' : 'no_current_key',
      });
      current = { ...next, state: 'current', activatedAt: now };
      next = undefined;
    } else {
      decisions.push({
        action: 'create',
        state: 'current',
        reason: revokedCurrent ? 'emergency' : 'bootstrap',
      });
    }
  } else {
    const dueAt = at(activation(current), policy.rotationPeriodSeconds);
    const due = request.rotate === true || dueAt <= t;
    if (due && next) {
      const readyAt = at(next.publishedAt, publicationSeconds(policy));
      if (readyAt < t) {
        decisions.push({ action: 'retire', kid: current.id, reason: 'rotated' });
        decisions.push({ action: 'promote', kid: next.id, reason: dueAt <= t ? 'scheduled' : 'on_demand' });
        wakeups.push(at(now, retentionSeconds(policy)), at(now, policy.rotationPeriodSeconds));
        next = undefined;
      } else wakeups.push(readyAt + 1);
    } else wakeups.push(dueAt);
  }
  if (!next) {
    decisions.push({ action: 'create', state: 'next', reason: 'next_key' });
    wakeups.push(at(now, publicationSeconds(policy)) + 1);
  }
  return { decisions, nextCheckAt: new Date(Math.max(t, Math.min(...wakeups))) };
}

function activation(key: RotationKey): number {
  return (key.activatedAt ?? key.publishedAt).getTime();
}

export interface AppliedRotation<K extends RotationKey> {
  /** The key set after the plan. */
  keys: K[];
  inserted: K[];
  updated: K[];
  removed: string[];
}

/**
 * Applies a plan to a key set (in memory; the caller writes `inserted`/`updated`/`removed` in its
 * transaction). `create` supplies a new key (generated beforehand) for each create decision.
 */
export function applyRotationPlan<K extends RotationKey>(
  keys: readonly K[],
  plan: RotationPlan,
  now: Date,
  create: (state: 'next' | 'current') => K,
): AppliedRotation<K> {
  const byId = new Map(keys.map((k) => [k.id, k]));
  const inserted: K[] = [];
  const updated = new Map<string, K>();
  const removed: string[] = [];
  for (const decision of plan.decisions) {
    if (decision.action === 'create') {
      const key = { ...create(decision.state), state: decision.state, publishedAt: now };
      if (decision.state === 'current') key.activatedAt = now;
      byId.set(key.id, key);
      inserted.push(key);
      continue;
    }
    const key = byId.get(decision.kid);
    if (!key) continue;
    if (decision.action === 'remove') {
      byId.delete(key.id);
      updated.delete(key.id);
      removed.push(key.id);
      continue;
    }
    const change: K =
      decision.action === 'promote'
        ? { ...key, state: 'current', activatedAt: now }
        : { ...key, state: 'retired', retiredAt: now };
    byId.set(key.id, change);
    updated.set(key.id, change);
  }
  return { keys: [...byId.values()], inserted, updated: [...updated.values()], removed };
}

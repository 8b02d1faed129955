import { keyRotationEvents } from '../../core/audit/audit-events.ts';
import type { Clock } from '../../core/clock.ts';
import type { AuditEvent } from '../../core/domain/audit-event.ts';
import type { SigningAlgorithm } from '../../core/domain/public-jwk.ts';
import { ApiError } from '../../core/errors.ts';
import { newTimeOrderedId } from '../../core/ids.ts';
import { decryptPrivateKey, encryptPrivateKey } from '../../core/keys/encrypt-key.ts';
import {
  defaultRsaModulusBits,
  generateKeyMaterial,
  generateKeyMaterialFor,
  type KeyMaterial,
} from '../../core/keys/generate-key.ts';
import { buildJwks } from '../../core/keys/jwks.ts';
import type { MasterKey } from '../../core/keys/master-key.ts';
import {
  applyRotationPlan,
  planRotation,
  type RotationDecision,
  type RotationPlan,
  type RotationRequest,
} from '../../core/keys/plan-rotation.ts';
import { defaultRotationPolicy, type RotationPolicy } from '../../core/keys/rotation-policy.ts';
import { prepareSigningKey, signJwtAsync, type TokenSigningKey } from '../../core/tokens/token-signer.ts';
import type { SigningKey } from '../../store/records.ts';
import type { Store } from '../../store/store.ts';
import type { ChangeFeed } from '../cache/change-feed.ts';
import { etagOf } from '../etag.ts';
import { auditActor, type Principal } from '../principal.ts';
import type { KeySet, PublishedJwks } from '../tokens/key-set.ts';

export interface KeyManagerOptions {
  masterKey: MasterKey;
  policy?: RotationPolicy;
  modulusBits?: number;
  /** Makes new RS256 key material; tests inject fixed keys. ES256 keys are always generated (~1 ms). */
  generate?: () => Promise<KeyMaterial>;
  /** Re-reads the key set at least this often, in case a change announcement was missed. */
  reloadIntervalMs?: number;
}

const lockName = 'envid:signing-keys';
const stateOrder = { retired: 0, current: 1, next: 2 } as const;

/**
 * The algorithms to plan for: RS256 always, every algorithm that has keys, and the one asked for. So
 * an installation that never asks for ES256 has RS256 keys only, exactly as before ES256 existed.
 */
function algorithmsToPlan(keys: readonly SigningKey[], request: RotationRequest): SigningAlgorithm[] {
  const algorithms = new Set<SigningAlgorithm>(['RS256']);
  for (const key of keys) algorithms.add(key.algorithm);
  if (request.algorithm) algorithms.add(request.algorithm);
  return [...algorithms];
}

/** One plan per algorithm: each has its own current and next key; `rotate` touches only the one asked for. */
function planPerAlgorithm(
  keys: readonly SigningKey[],
  now: Date,
  policy: RotationPolicy,
  request: RotationRequest,
): { algorithm: SigningAlgorithm; keys: SigningKey[]; plan: RotationPlan }[] {
  return algorithmsToPlan(keys, request).map((algorithm) => {
    const own = keys.filter((key) => key.algorithm === algorithm);
    const rotate = request.rotate === true && (request.algorithm ?? 'RS256') === algorithm;
    const plan = planRotation(own, now, policy, { ...request, rotate });
    return { algorithm, keys: own, plan };
  });
}

const earliest = (plans: readonly { plan: RotationPlan }[]): Date =>
  new Date(Math.min(...plans.map(({ plan }) => plan.nextCheckAt.getTime())));

/**
 * Owns the signing keys: runs the rotation plan on a schedule and on demand, inside a locked
 * transaction so replicas sharing a database never rotate twice, and keeps in memory the keys that
 * sign (one per algorithm) and the JWKS, so neither the token path nor the JWKS route touches the database.
 */
export class KeyManager implements KeySet {
  readonly jwksMaxAgeSeconds: number;
  readonly #policy: RotationPolicy;
  readonly #generate: () => Promise<KeyMaterial>;
  #signing = new Map<SigningAlgorithm, TokenSigningKey>();
  #jwks: PublishedJwks = published([]);
  /** The key set as last loaded (what the metrics describe). */
  #keys: readonly SigningKey[] = [];
  #decrypted = new Map<string, TokenSigningKey>();
  #timer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    feed: ChangeFeed,
    private readonly options: KeyManagerOptions,
  ) {
    this.#policy = options.policy ?? defaultRotationPolicy;
    this.jwksMaxAgeSeconds = this.#policy.jwksMaxAgeSeconds;
    const bits = options.modulusBits ?? defaultRsaModulusBits;
    this.#generate = options.generate ?? (() => generateKeyMaterial(bits));
    feed.onChange((collection) => {
      if (this.#running && (collection === 'signing_keys' || collection === '*'))
        void this.reload().catch(() => {});
    });
  }

  /** Loads (creating on first start) the key set; throws when the stored keys cannot be decrypted. */
  async start(): Promise<void> {
    this.#running = true;
    await this.reconcile({});
  }

  stop(): void {
    this.#running = false;
    clearTimeout(this.#timer);
  }

  /** The key that signs `algorithm` now, from memory; `unavailable` when there is none loaded. */
  signingKey(algorithm: SigningAlgorithm = 'RS256'): TokenSigningKey {
    const key = this.#signing.get(algorithm);
    if (!key)
      throw new ApiError('unavailable', `no ${algorithm} signing key is loaded yet; try again shortly`);
    return key;
  }

  /**
   * The key that signs `algorithm`, creating that algorithm's keys on first use (ES256 keys exist only
   * once something asks for them). What a token profile choosing its algorithm calls.
   */
  async signingKeyFor(algorithm: SigningAlgorithm): Promise<TokenSigningKey> {
    if (!this.#signing.has(algorithm)) await this.reconcile({ algorithm });
    return this.signingKey(algorithm);
  }

  /** A compact JWT of `claims` signed with the current key of `algorithm` (RS256 unless asked). */
  async sign(claims: object, algorithm: SigningAlgorithm = 'RS256'): Promise<string> {
    return signJwtAsync(await this.signingKeyFor(algorithm), JSON.stringify(claims));
  }

  jwks(): PublishedJwks {
    return this.#jwks;
  }

  /** Each loaded key's age and the seconds until the next key takes over, as of `now` (for metrics). */
  rotationStatus(now: Date): KeyRotationStatus {
    // The first rotation due among the algorithms' current keys, as the rotation plan counts it
    // (plan-rotation.ts): from activation, or publication for an old record.
    const activations = this.#keys
      .filter((key) => key.state === 'current')
      .map((key) => (key.activatedAt ?? key.publishedAt).getTime());
    const activated = activations.length > 0 ? new Date(Math.min(...activations)) : undefined;
    return {
      keys: this.#keys.map((key) => ({
        id: key.id,
        state: key.state,
        ageSeconds: (now.getTime() - key.createdAt.getTime()) / 1000,
      })),
      secondsToRotation: activated
        ? Math.max(0, (activated.getTime() - now.getTime()) / 1000 + this.#policy.rotationPeriodSeconds)
        : undefined,
    };
  }

  /** The stored key set (public parts), for the admin API. */
  async list(): Promise<SigningKey[]> {
    return (await this.store.signingKeys.list({}, { pageSize: 100 })).items;
  }

  /**
   * Plans and applies a rotation, each algorithm apart. New key material is generated before the
   * transaction; inside it the key set is read again under a lock and planned again, so the decision
   * holds whoever else rotates.
   */
  async reconcile(request: RotationRequest, actor?: Principal): Promise<RotationDecision[]> {
    const before = planPerAlgorithm(await this.list(), this.clock.now(), this.#policy, request);
    if (before.every(({ plan }) => plan.decisions.length === 0)) {
      await this.reload();
      return [];
    }
    const material = new Map<SigningAlgorithm, KeyMaterial[]>();
    for (const { algorithm, plan } of before) {
      const creates = plan.decisions.filter((d) => d.action === 'create').length;
      material.set(
        algorithm,
        await Promise.all(Array.from({ length: creates }, () => this.#make(algorithm))),
      );
    }
    const decisions = await this.store.transaction(
      async (tx) => {
        const now = this.clock.now();
        const all = (await tx.signingKeys.list({}, { pageSize: 100 })).items;
        const decided: RotationDecision[] = [];
        const events: AuditEvent[] = [];
        const removed: string[] = [];
        const updated: SigningKey[] = [];
        const inserted: SigningKey[] = [];
        for (const { algorithm, keys, plan } of planPerAlgorithm(all, now, this.#policy, request)) {
          const ready = material.get(algorithm) ?? [];
          const needed = plan.decisions.filter((d) => d.action === 'create').length;
          while (ready.length < needed) ready.push(await this.#make(algorithm));
          const applied = applyRotationPlan(keys, plan, now, (state) =>
            this.#newRecord(ready.shift()!, algorithm, state, now),
          );
          removed.push(...applied.removed);
          updated.push(...applied.updated);
          inserted.push(...applied.inserted);
          decided.push(...plan.decisions);
          events.push(
            ...keyRotationEvents(
              plan.decisions,
              applied.inserted.map((key) => key.id),
              { now, newId: () => newTimeOrderedId(now), ...(actor ? { actor: auditActor(actor) } : {}) },
            ),
          );
        }
        // In an order the one-current / one-next unique indexes accept: free a state before filling it.
        for (const kid of removed) await tx.signingKeys.delete(kid);
        const retiredFirst = [...updated].sort((a, b) => stateOrder[a.state] - stateOrder[b.state]);
        for (const key of retiredFirst) await tx.signingKeys.update(key.id, () => key);
        if (inserted.length > 0) await tx.signingKeys.insertMany(inserted);
        if (events.length > 0) await tx.auditEvents.insertMany(events);
        return decided;
      },
      { lock: lockName },
    );
    await this.reload();
    return decisions;
  }

  /** Re-reads the key set into memory and schedules the next check. */
  async reload(): Promise<void> {
    const keys = await this.list();
    const decrypted = new Map<string, TokenSigningKey>();
    const signing = new Map<SigningAlgorithm, TokenSigningKey>();
    for (const current of keys.filter((key) => key.state === 'current')) {
      const key =
        this.#decrypted.get(current.id) ??
        prepareSigningKey(
          current.id,
          decryptPrivateKey(current.encryptedPrivateKey, current.id, this.options.masterKey),
        );
      decrypted.set(current.id, key);
      signing.set(current.algorithm, key);
    }
    this.#decrypted = decrypted;
    this.#signing = signing;
    this.#jwks = published(keys);
    this.#keys = keys;
    this.#schedule(earliest(planPerAlgorithm(keys, this.clock.now(), this.#policy, {})));
  }

  #make(algorithm: SigningAlgorithm): Promise<KeyMaterial> {
    return algorithm === 'RS256' ? this.#generate() : generateKeyMaterialFor(algorithm);
  }

  #schedule(nextCheckAt: Date): void {
    clearTimeout(this.#timer);
    if (!this.#running) return;
    const reloadMs = this.options.reloadIntervalMs ?? 60_000;
    const delay = Math.min(Math.max(nextCheckAt.getTime() - this.clock.now().getTime(), 0), reloadMs);
    this.#timer = setTimeout(() => {
      void this.reconcile({}).catch(() => this.#schedule(new Date(this.clock.now().getTime() + reloadMs)));
    }, delay);
    this.#timer.unref();
  }

  #newRecord(
    material: KeyMaterial,
    algorithm: SigningAlgorithm,
    state: 'next' | 'current',
    now: Date,
  ): SigningKey {
    if (material.publicJwk.alg !== algorithm)
      throw new Error(`a ${algorithm} key was asked for, not ${material.publicJwk.alg}`);
    return {
      id: material.kid,
      state,
      algorithm,
      publicJwk: material.publicJwk,
      encryptedPrivateKey: encryptPrivateKey(material.privateKey, material.kid, this.options.masterKey),
      publishedAt: now,
      createdAt: now,
    };
  }
}

export interface KeyRotationStatus {
  keys: { id: string; state: SigningKey['state']; ageSeconds: number }[];
  /** Undefined while no key signs. */
  secondsToRotation: number | undefined;
}

function published(keys: readonly Pick<SigningKey, 'state' | 'publicJwk'>[]): PublishedJwks {
  const body = JSON.stringify(buildJwks(keys));
  return { body, etag: etagOf(body) };
}

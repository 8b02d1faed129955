import { keyRotationEvents } from '../../core/audit/audit-events.ts';
import type { Clock } from '../../core/clock.ts';
import { ApiError } from '../../core/errors.ts';
import { newTimeOrderedId } from '../../core/ids.ts';
import { decryptPrivateKey, encryptPrivateKey } from '../../core/keys/encrypt-key.ts';
import {
  defaultRsaModulusBits,
  generateKeyMaterial,
  type KeyMaterial,
} from '../../core/keys/generate-key.ts';
import { buildJwks } from '../../core/keys/jwks.ts';
import type { MasterKey } from '../../core/keys/master-key.ts';
import {
  applyRotationPlan,
  planRotation,
  type RotationDecision,
  type RotationRequest,
} from '../../core/keys/plan-rotation.ts';
import { defaultRotationPolicy, type RotationPolicy } from '../../core/keys/rotation-policy.ts';
import { prepareSigningKey, type TokenSigningKey } from '../../core/tokens/token-signer.ts';
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
  /** Makes new key material; tests inject fixed keys. */
  generate?: () => Promise<KeyMaterial>;
  /** Re-reads the key set at least this often, in case a change announcement was missed. */
  reloadIntervalMs?: number;
}

const lockName = 'envid:signing-keys';
const stateOrder = { retired: 0, current: 1, next: 2 } as const;

/**
 * Owns the signing keys: runs the rotation plan on a schedule and on demand, inside a locked
 * transaction so replicas sharing a database never rotate twice, and keeps in memory the key that
 * signs and the JWKS, so neither the token path nor the JWKS route touches the database.
 */
export class KeyManager implements KeySet {
  readonly jwksMaxAgeSeconds: number;
  readonly #policy: RotationPolicy;
  readonly #generate: () => Promise<KeyMaterial>;
  #signing: TokenSigningKey | undefined;
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

  signingKey(): TokenSigningKey {
    if (!this.#signing) throw new ApiError('unavailable', 'no signing key is loaded yet; try again shortly');
    return this.#signing;
  }

  jwks(): PublishedJwks {
    return this.#jwks;
  }

  /** Each loaded key's age and the seconds until the next key takes over, as of `now` (for metrics). */
  rotationStatus(now: Date): KeyRotationStatus {
    const current = this.#keys.find((key) => key.state === 'current');
    // As the rotation plan counts it (plan-rotation.ts): from activation, or publication for an old record.
    const activated = current?.activatedAt ?? current?.publishedAt;
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
   * Plans and applies a rotation. New key material is generated before the transaction; inside it the
   * key set is read again under a lock and planned again, so the decision holds whoever else rotates.
   */
  async reconcile(request: RotationRequest, actor?: Principal): Promise<RotationDecision[]> {
    const before = planRotation(await this.list(), this.clock.now(), this.#policy, request);
    if (before.decisions.length === 0) {
      await this.reload();
      return [];
    }
    const creates = before.decisions.filter((d) => d.action === 'create').length;
    const material = await Promise.all(Array.from({ length: creates }, () => this.#generate()));
    const decisions = await this.store.transaction(
      async (tx) => {
        const keys = (await tx.signingKeys.list({}, { pageSize: 100 })).items;
        const now = this.clock.now();
        const plan = planRotation(keys, now, this.#policy, request);
        const needed = plan.decisions.filter((d) => d.action === 'create').length;
        while (material.length < needed) material.push(await this.#generate());
        const applied = applyRotationPlan(keys, plan, now, (state) =>
          this.#newRecord(material.shift()!, state, now),
        );
        // In an order the one-current / one-next unique indexes accept: free a state before filling it.
        for (const kid of applied.removed) await tx.signingKeys.delete(kid);
        const retiredFirst = [...applied.updated].sort((a, b) => stateOrder[a.state] - stateOrder[b.state]);
        for (const key of retiredFirst) await tx.signingKeys.update(key.id, () => key);
        if (applied.inserted.length > 0) await tx.signingKeys.insertMany(applied.inserted);
        await tx.auditEvents.insertMany(
          keyRotationEvents(
            plan.decisions,
            applied.inserted.map((key) => key.id),
            { now, newId: () => newTimeOrderedId(now), ...(actor ? { actor: auditActor(actor) } : {}) },
          ),
        );
        return plan.decisions;
      },
      { lock: lockName },
    );
    await this.reload();
    return decisions;
  }

  /** Re-reads the key set into memory and schedules the next check. */
  async reload(): Promise<void> {
    const keys = await this.list();
    const current = keys.find((key) => key.state === 'current');
    const decrypted = new Map<string, TokenSigningKey>();
    if (current) {
      const known = this.#decrypted.get(current.id);
      decrypted.set(
        current.id,
        known ??
          prepareSigningKey(
            current.id,
            decryptPrivateKey(current.encryptedPrivateKey, current.id, this.options.masterKey),
          ),
      );
    }
    this.#decrypted = decrypted;
    this.#signing = current ? decrypted.get(current.id) : undefined;
    this.#jwks = published(keys);
    this.#keys = keys;
    this.#schedule(planRotation(keys, this.clock.now(), this.#policy).nextCheckAt);
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

  #newRecord(material: KeyMaterial, state: 'next' | 'current', now: Date): SigningKey {
    return {
      id: material.kid,
      state,
      algorithm: 'RS256',
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

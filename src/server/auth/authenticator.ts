import type { Clock } from '../../core/clock.ts';
import { hashSecret } from '../../core/credentials.ts';
import { unauthenticated } from '../../core/errors.ts';
import type { Store } from '../../store/store.ts';
import type { Principal } from '../principal.ts';
import { type ResolvedCredential, resolveCredential } from './authenticate.ts';

export interface AuthenticatorOptions {
  /** How many credentials to remember. */
  maxEntries?: number;
  /** The longest a cached answer is trusted, even if no change was announced. */
  ttlMs?: number;
}

interface Entry extends ResolvedCredential {
  cachedAt: number;
}

/**
 * Authenticates credentials without a database round-trip on the hot path. Answers are cached by the
 * secret's hash (the secret itself is never kept), and the whole cache is dropped whenever any server
 * sharing the database announces a write (a revoke, a deleted principal, a stopped environment...).
 * A generation counter keeps a lookup that raced with a change from caching its stale answer.
 */
export class Authenticator {
  readonly #entries = new Map<string, Entry>();
  readonly #maxEntries: number;
  readonly #ttlMs: number;
  #generation = 0;
  #stopWatching: (() => Promise<void>) | undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    options: AuthenticatorOptions = {},
  ) {
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#ttlMs = options.ttlMs ?? 30_000;
  }

  /** Starts listening for changes; until then nothing is cached. */
  async start(): Promise<void> {
    this.#stopWatching = await this.store.watchChanges(() => this.invalidate());
  }

  async stop(): Promise<void> {
    await this.#stopWatching?.();
    this.#stopWatching = undefined;
    this.invalidate();
  }

  invalidate(): void {
    this.#generation++;
    this.#entries.clear();
  }

  async authenticate(secret: string): Promise<Principal> {
    const hash = hashSecret(secret);
    const now = this.clock.now().getTime();
    const cached = this.#entries.get(hash);
    if (cached && now - cached.cachedAt < this.#ttlMs) {
      if (cached.expiresAt && cached.expiresAt.getTime() <= now)
        throw unauthenticated('the credential has expired');
      return cached.principal;
    }
    const generation = this.#generation;
    const resolved = await resolveCredential(this.store, this.clock, secret);
    if (this.#stopWatching && generation === this.#generation)
      this.#remember(hash, { ...resolved, cachedAt: now });
    return resolved.principal;
  }

  #remember(hash: string, entry: Entry): void {
    this.#entries.delete(hash);
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(hash, entry);
  }
}

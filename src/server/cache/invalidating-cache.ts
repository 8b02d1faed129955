import type { Clock } from '../../core/clock.ts';
import type { ChangeFeed } from './change-feed.ts';

export interface CacheOptions {
  /** How many entries to keep; the oldest goes first. */
  maxEntries?: number;
  /** The longest an entry is trusted even if no change was announced. */
  ttlMs?: number;
}

/**
 * A read-through cache that forgets everything whenever the store announces a write. A generation
 * counter keeps a load that raced with a change from caching its stale answer. Failed loads are not
 * cached, so unknown keys cannot fill memory.
 */
export class InvalidatingCache<V> {
  readonly #entries = new Map<string, { value: V; cachedAt: number }>();
  readonly #maxEntries: number;
  readonly #ttlMs: number;
  #generation = 0;

  constructor(
    private readonly feed: ChangeFeed,
    private readonly clock: Clock,
    options: CacheOptions = {},
  ) {
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#ttlMs = options.ttlMs ?? 30_000;
    feed.onChange(() => this.clear());
  }

  clear(): void {
    this.#generation++;
    this.#entries.clear();
  }

  async get(key: string, load: () => Promise<V>): Promise<V> {
    const now = this.clock.now().getTime();
    const cached = this.#entries.get(key);
    if (cached && now - cached.cachedAt < this.#ttlMs) return cached.value;
    const generation = this.#generation;
    const value = await load();
    if (this.feed.live && generation === this.#generation) this.#remember(key, { value, cachedAt: now });
    return value;
  }

  #remember(key: string, entry: { value: V; cachedAt: number }): void {
    this.#entries.delete(key);
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(key, entry);
  }
}

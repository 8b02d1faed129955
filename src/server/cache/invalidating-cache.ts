import type { Clock } from '../../core/clock.ts';
import { DatabaseUnavailableError } from '../../store/errors.ts';
import type { ChangeFeed } from './change-feed.ts';

export interface CacheOptions {
  /** How many entries to keep; the oldest goes first. */
  maxEntries?: number;
  /** The longest an entry is trusted even if no change was announced. */
  ttlMs?: number;
}

interface Entry<V> {
  value: V;
  cachedAt: number;
}

/**
 * A read-through cache that forgets everything whenever the store announces a write. A generation
 * counter keeps a load that raced with a change from caching its stale answer. Failed loads are not
 * cached, so unknown keys cannot fill memory.
 *
 * Under load no request waits for a reload: concurrent misses of one key share a single load, and an
 * entry in use is reloaded in the background once it is half its lifetime old (still trusted), so
 * entries in use never expire all at once (that burst of reloads, queued with the audit writes on the
 * database pool, was the bench's worst latency). A background reload that fails forgets the entry,
 * unless the database was unavailable: then the entry is served until `ttlMs` after it was loaded, and
 * no longer. That is the bound on how stale an answer can be while the database or its change
 * notifications are down (docs/reliability.md).
 */
export class InvalidatingCache<V> {
  readonly #entries = new Map<string, Entry<V>>();
  /** Loads under way, shared by whoever asks for the same key meanwhile (until the next change). */
  readonly #loading = new Map<string, Promise<V>>();
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
    // A load that started before the change may read the old state: later callers start their own.
    this.#loading.clear();
  }

  async get(key: string, load: () => Promise<V>): Promise<V> {
    const now = this.clock.now().getTime();
    const cached = this.#entries.get(key);
    if (cached && now - cached.cachedAt < this.#ttlMs) {
      if (now - cached.cachedAt >= this.#ttlMs / 2 && !this.#loading.has(key)) {
        this.#load(key, load, now).catch((error: unknown) => {
          // An answer that changed (a revoked credential) is forgotten; a database that did not answer
          // changes nothing, so the entry serves on until its lifetime ends (the bound during outages).
          if (!(error instanceof DatabaseUnavailableError)) this.#forget(key, cached);
        });
      }
      return cached.value;
    }
    return this.#load(key, load, now);
  }

  #load(key: string, load: () => Promise<V>, now: number): Promise<V> {
    const running = this.#loading.get(key);
    if (running) return running;
    const generation = this.#generation;
    const loading = load().then(
      (value) => {
        if (this.#loading.get(key) === loading) this.#loading.delete(key);
        if (this.feed.live && generation === this.#generation) this.#remember(key, { value, cachedAt: now });
        return value;
      },
      (error: unknown) => {
        if (this.#loading.get(key) === loading) this.#loading.delete(key);
        throw error;
      },
    );
    this.#loading.set(key, loading);
    return loading;
  }

  /** Drops `entry` unless something newer replaced it meanwhile. */
  #forget(key: string, entry: Entry<V>): void {
    if (this.#entries.get(key) === entry) this.#entries.delete(key);
  }

  #remember(key: string, entry: Entry<V>): void {
    this.#entries.delete(key);
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(key, entry);
  }
}

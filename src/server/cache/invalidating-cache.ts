import type { Clock } from '../../core/clock.ts';
import { DatabaseUnavailableError } from '../../store/errors.ts';
import type { ChangeFeed } from './change-feed.ts';

export interface CacheOptions {
  /** How many entries to keep; the oldest goes first. */
  maxEntries?: number;
  /** The longest an entry is trusted even if no change was announced. */
  ttlMs?: number;
  /** Which failed loads to remember, like answers; none unless given. */
  remembersFailure?: (error: unknown) => boolean;
  /** How many remembered failures to keep (apart from the answers, which they never push out). */
  maxFailures?: number;
}

interface Entry<V> {
  value: V;
  cachedAt: number;
}

interface Failure {
  error: unknown;
  cachedAt: number;
}

/**
 * A read-through cache that forgets everything whenever the store announces a write. A generation
 * counter keeps a load that raced with a change from caching its stale answer. Failed loads are cached
 * only when `remembersFailure` says so, in a map of their own: however many unknown keys are asked
 * for, they push out only each other, never an answer.
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
  readonly #failures = new Map<string, Failure>();
  /** Loads under way, shared by whoever asks for the same key meanwhile (until the next change). */
  readonly #loading = new Map<string, Promise<V>>();
  readonly #maxEntries: number;
  readonly #ttlMs: number;
  readonly #maxFailures: number;
  readonly #remembersFailure: (error: unknown) => boolean;
  #generation = 0;
  /** Look-ups answered from memory (an answer or a remembered refusal), for metrics: a plain count is all the hot path pays. */
  hits = 0;
  /** Look-ups that had to load (or join a load under way). */
  misses = 0;

  constructor(
    private readonly feed: ChangeFeed,
    private readonly clock: Clock,
    options: CacheOptions = {},
  ) {
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#ttlMs = options.ttlMs ?? 30_000;
    this.#maxFailures = options.maxFailures ?? 10_000;
    this.#remembersFailure = options.remembersFailure ?? (() => false);
    feed.onChange(() => this.clear());
  }

  clear(): void {
    this.#generation++;
    this.#entries.clear();
    this.#failures.clear();
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
      this.hits++;
      return cached.value;
    }
    const failed = this.#failures.get(key);
    if (failed && now - failed.cachedAt < this.#ttlMs) {
      this.hits++;
      throw failed.error;
    }
    this.misses++;
    return this.#load(key, load, now);
  }

  #load(key: string, load: () => Promise<V>, now: number): Promise<V> {
    const running = this.#loading.get(key);
    if (running) return running;
    const generation = this.#generation;
    const loading = load().then(
      (value) => {
        if (this.#loading.get(key) === loading) this.#loading.delete(key);
        if (this.feed.live && generation === this.#generation) {
          this.#failures.delete(key);
          keepNewest(this.#entries, this.#maxEntries, key, { value, cachedAt: now });
        }
        return value;
      },
      (error: unknown) => {
        if (this.#loading.get(key) === loading) this.#loading.delete(key);
        if (this.feed.live && generation === this.#generation && this.#remembersFailure(error)) {
          this.#entries.delete(key);
          keepNewest(this.#failures, this.#maxFailures, key, { error, cachedAt: now });
        }
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
}

/** Sets `key` as the newest of `map`, dropping the oldest entry when `map` is full. */
function keepNewest<T>(map: Map<string, T>, max: number, key: string, entry: T): void {
  map.delete(key);
  if (map.size >= max) {
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }
  map.set(key, entry);
}

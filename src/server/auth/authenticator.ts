import type { Clock } from '../../core/clock.ts';
import { hashSecret } from '../../core/credentials.ts';
import { ApiError, unauthenticated } from '../../core/errors.ts';
import type { Store } from '../../store/store.ts';
import type { ChangeFeed } from '../cache/change-feed.ts';
import { type CacheOptions, InvalidatingCache } from '../cache/invalidating-cache.ts';
import type { AuthenticatedPrincipal } from '../principal.ts';
import { type ResolvedCredential, resolveCredential } from './authenticate.ts';

/**
 * Authenticates credentials without a database round-trip on the hot path. Answers are cached by the
 * secret's hash (the secret itself is never kept) and dropped whenever any server sharing the database
 * announces a write (a revoke, a deleted principal, a stopped environment...). Refusals are cached the
 * same way, apart from the answers: a client repeating an unknown, revoked or expired credential costs
 * no look-up, and a flood of unknown ones cannot push valid credentials out of the cache.
 */
export class Authenticator {
  readonly #cache: InvalidatingCache<ResolvedCredential>;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    feed: ChangeFeed,
    options: CacheOptions = {},
  ) {
    this.#cache = new InvalidatingCache(feed, clock, { ...options, remembersFailure: isRefusal });
  }

  /** The credential cache, whose hit and miss counts the metrics read. */
  get cache(): InvalidatingCache<ResolvedCredential> {
    return this.#cache;
  }

  async authenticate(secret: string): Promise<AuthenticatedPrincipal> {
    const resolved = await this.#cache.get(hashSecret(secret), () =>
      resolveCredential(this.store, this.clock, secret),
    );
    if (resolved.expiresAt && resolved.expiresAt.getTime() <= this.clock.now().getTime()) {
      throw unauthenticated('the credential has expired');
    }
    return resolved.principal;
  }
}

/** A credential that was looked up and refused (not a failure of the database, which may pass). */
const isRefusal = (error: unknown): boolean => error instanceof ApiError && error.code === 'unauthenticated';

import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.ts';
import { ChangeFeed } from '../../src/server/cache/change-feed.ts';
import { InvalidatingCache } from '../../src/server/cache/invalidating-cache.ts';
import { DatabaseUnavailableError } from '../../src/store/errors.ts';
import type { Store } from '../../src/store/store.ts';

/** A feed whose store announcements the test makes by hand. */
async function manualFeed() {
  let announce: (collection: string) => void = () => {};
  const store = {
    watchChanges: async (onChange: (collection: string) => void) => {
      announce = onChange;
      return async () => {};
    },
  } as unknown as Store;
  const feed = new ChangeFeed(store);
  await feed.start();
  return { feed, announce: (collection: string) => announce(collection) };
}

const deferred = <T>() => {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

/** A cache with a 30 s lifetime that holds 'v1' under 'k', and its clock. */
async function cacheHoldingV1() {
  const { feed } = await manualFeed();
  const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
  const cache = new InvalidatingCache<string>(feed, clock, { ttlMs: 30_000 });
  await cache.get('k', async () => 'v1');
  return { cache, clock };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('InvalidatingCache', () => {
  it('shares one load among concurrent misses of a key', async () => {
    const { feed } = await manualFeed();
    const cache = new InvalidatingCache<string>(feed, new ManualClock(new Date('2026-01-01T00:00:00Z')));
    const pending = deferred<string>();
    let loads = 0;
    const load = () => {
      loads++;
      return pending.promise;
    };
    const answers = Promise.all([cache.get('k', load), cache.get('k', load), cache.get('k', load)]);
    pending.resolve('v1');
    expect(await answers).toEqual(['v1', 'v1', 'v1']);
    expect(loads).toBe(1);
    expect(await cache.get('k', async () => 'never')).toBe('v1');
  });

  it('reloads an entry in use in the background once it is half its lifetime old, answering the cached value meanwhile', async () => {
    const { cache, clock } = await cacheHoldingV1();
    clock.advance(14_000);
    expect(await cache.get('k', async () => 'too early')).toBe('v1');
    clock.advance(2_000);
    const reload = deferred<string>();
    let reloads = 0;
    const slowReload = () => {
      reloads++;
      return reload.promise;
    };
    expect(await cache.get('k', slowReload)).toBe('v1');
    expect(await cache.get('k', slowReload)).toBe('v1');
    expect(reloads).toBe(1);
    reload.resolve('v2');
    await settle();
    expect(await cache.get('k', async () => 'not needed')).toBe('v2');
    // Fresh again: the next reload is due half a lifetime after this one.
    clock.advance(14_000);
    expect(await cache.get('k', async () => 'too early')).toBe('v2');
  });

  it('forgets an entry whose background reload fails, and never answers one past its lifetime', async () => {
    const { cache, clock } = await cacheHoldingV1();
    clock.advance(20_000);
    expect(
      await cache.get('k', async () => {
        throw new Error('revoked');
      }),
    ).toBe('v1');
    await settle();
    await expect(
      cache.get('k', async () => {
        throw new Error('revoked');
      }),
    ).rejects.toThrow('revoked');

    await cache.get('old', async () => 'v1');
    clock.advance(30_000);
    expect(await cache.get('old', async () => 'v2')).toBe('v2');
  });

  it('keeps serving an entry whose background reload finds the database unavailable, until its lifetime ends', async () => {
    const { cache, clock } = await cacheHoldingV1();
    const unavailable = async (): Promise<string> => {
      throw new DatabaseUnavailableError('connection refused');
    };
    clock.advance(20_000);
    expect(await cache.get('k', unavailable)).toBe('v1');
    await settle();
    clock.advance(9_000);
    expect(await cache.get('k', unavailable)).toBe('v1');
    await settle();
    // 30 s after it was loaded it is stale whatever happened: the database must answer again.
    clock.advance(1_000);
    await expect(cache.get('k', unavailable)).rejects.toThrow(DatabaseUnavailableError);
  });

  it('does not hand a load that started before a change to callers after it, nor cache its answer', async () => {
    const { feed, announce } = await manualFeed();
    const cache = new InvalidatingCache<string>(feed, new ManualClock(new Date('2026-01-01T00:00:00Z')));
    const before = deferred<string>();
    const first = cache.get('k', () => before.promise);
    announce('credentials');
    const second = cache.get('k', async () => 'after the change');
    before.resolve('before the change');
    expect(await first).toBe('before the change');
    expect(await second).toBe('after the change');
    expect(await cache.get('k', async () => 'reloaded')).toBe('after the change');
  });

  it('remembers the failures it is told to, apart from the answers, and forgets them on a change', async () => {
    const { feed, announce } = await manualFeed();
    const cache = new InvalidatingCache<string>(feed, new ManualClock(new Date('2026-01-01T00:00:00Z')), {
      maxEntries: 1,
      maxFailures: 1,
      remembersFailure: (error) => (error as Error).message === 'refused',
    });
    let loads = 0;
    const refuse = async (): Promise<string> => {
      loads++;
      throw new Error('refused');
    };
    await cache.get('valid', async () => 'v1');
    await expect(cache.get('a', refuse)).rejects.toThrow('refused');
    await expect(cache.get('a', refuse)).rejects.toThrow('refused');
    expect(loads).toBe(1);
    // Another failure pushes out the older failure, never the answer.
    await expect(cache.get('b', refuse)).rejects.toThrow('refused');
    await expect(cache.get('a', refuse)).rejects.toThrow('refused');
    expect(loads).toBe(3);
    expect(await cache.get('valid', async () => 'reloaded')).toBe('v1');
    // Other failures are not remembered.
    const broken = async (): Promise<string> => {
      loads++;
      throw new Error('database down');
    };
    await expect(cache.get('c', broken)).rejects.toThrow('database down');
    await expect(cache.get('c', broken)).rejects.toThrow('database down');
    expect(loads).toBe(5);

    announce('credentials');
    expect(await cache.get('a', async () => 'now valid')).toBe('now valid');
  });

  it('does not remember a failure of a load that started before a change', async () => {
    const { feed, announce } = await manualFeed();
    const cache = new InvalidatingCache<string>(feed, new ManualClock(new Date('2026-01-01T00:00:00Z')), {
      remembersFailure: () => true,
    });
    const before = deferred<string>();
    const first = cache.get('k', () => before.promise);
    announce('credentials');
    before.reject(new Error('refused'));
    await expect(first).rejects.toThrow('refused');
    expect(await cache.get('k', async () => 'after the change')).toBe('after the change');
  });
});

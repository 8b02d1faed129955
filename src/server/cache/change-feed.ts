import type { Store } from '../../store/store.ts';

/**
 * One subscription to the store's change announcements, fanned out to every cache in this server.
 * Before start() (and after stop()) caches must not keep anything: nobody would tell them to forget.
 */
export class ChangeFeed {
  readonly #listeners = new Set<(collection: string) => void>();
  #stop: (() => Promise<void>) | undefined;

  constructor(private readonly store: Store) {}

  get live(): boolean {
    return this.#stop !== undefined;
  }

  async start(): Promise<void> {
    this.#stop ??= await this.store.watchChanges((collection) => this.#emit(collection));
  }

  async stop(): Promise<void> {
    const stop = this.#stop;
    this.#stop = undefined;
    await stop?.();
    this.#emit('*');
  }

  onChange(listener: (collection: string) => void): void {
    this.#listeners.add(listener);
  }

  #emit(collection: string): void {
    for (const listener of this.#listeners) listener(collection);
  }
}

/**
 * Group commit: every write waits until it is durably stored, but while one flush is running the next
 * writes queue up and go to the database together in the following flush. At low load each write is
 * flushed alone at once; under load a batch costs one round-trip for many writes. Nothing is dropped:
 * a failed flush fails every write in it.
 */
export class BatchWriter<T> {
  #queue: { item: T; done: (error?: unknown) => void }[] = [];
  #flushing: Promise<void> | undefined;

  constructor(
    private readonly flush: (items: T[]) => Promise<void>,
    private readonly maxBatch = 500,
  ) {}

  write(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ item, done: (error) => (error === undefined ? resolve() : reject(error)) });
      this.#flushing ??= this.#drain();
    });
  }

  /** Resolves when everything written so far has been flushed (or has failed). */
  async drained(): Promise<void> {
    while (this.#flushing) await this.#flushing;
  }

  async #drain(): Promise<void> {
    // Let the writes of the current event-loop turn join the first batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.maxBatch);
      try {
        await this.flush(batch.map((entry) => entry.item));
        for (const entry of batch) entry.done();
      } catch (error) {
        for (const entry of batch) entry.done(error ?? new Error('flush failed'));
      }
    }
    this.#flushing = undefined;
  }
}

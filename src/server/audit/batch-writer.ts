/**
 * Group commit: every write waits until it is durably stored, but writes that arrive while flushes are
 * running queue up and go to the database together in a following flush. At low load each write is
 * flushed alone at once; under load a batch costs one round-trip for many writes. Up to `maxInFlight`
 * flushes run at once (on separate pool connections), so a new batch need not wait for the previous
 * commit: under load the wait for a commit, not the CPU, would otherwise cap throughput. Nothing is
 * dropped: a failed flush fails every write in it.
 */
export class BatchWriter<T> {
  #queue: { item: T; done: (error?: unknown) => void }[] = [];
  #scheduled = false;
  readonly #inFlight = new Set<Promise<void>>();

  constructor(
    private readonly flush: (items: T[]) => Promise<void>,
    private readonly maxBatch = 500,
    private readonly maxInFlight = 1,
  ) {}

  write(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ item, done: (error) => (error === undefined ? resolve() : reject(error)) });
      this.#schedule();
    });
  }

  /** Resolves when everything written so far has been flushed (or has failed). */
  async drained(): Promise<void> {
    while (this.#scheduled || this.#inFlight.size > 0) {
      if (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
      else await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  #schedule(): void {
    if (this.#scheduled || this.#queue.length === 0 || this.#inFlight.size >= this.maxInFlight) return;
    this.#scheduled = true;
    // Let the writes of the current event-loop turn join the batch.
    setImmediate(() => {
      this.#scheduled = false;
      this.#startFlush();
    });
  }

  #startFlush(): void {
    if (this.#queue.length === 0 || this.#inFlight.size >= this.maxInFlight) return;
    const batch = this.#queue.splice(0, this.maxBatch);
    const flushing = Promise.resolve(batch.map((entry) => entry.item))
      .then((items) => this.flush(items))
      .then(
        () => {
          for (const entry of batch) entry.done();
        },
        (error) => {
          for (const entry of batch) entry.done(error ?? new Error('flush failed'));
        },
      );
    const tracked = flushing.finally(() => {
      this.#inFlight.delete(tracked);
      this.#schedule();
    });
    this.#inFlight.add(tracked);
    // A full batch left more behind: another flush may start at once if there is room.
    this.#schedule();
  }
}

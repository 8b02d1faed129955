interface Entry<T> {
  item: T;
  done: (error?: unknown) => void;
  /** Still in the queue (not yet taken by a flush). */
  queued: boolean;
}

/**
 * Group commit: every write waits until it is durably stored, and writes that are queued together go to
 * the database in one flush. Each commit costs the database far more than each row does (BENCHMARKS.md),
 * so the writer collects as many rows per commit as it can without making anyone wait longer:
 *
 * - A write may name when its writer will need it (`ready`: for a token, its signature). Under load a
 *   queued write is flushed only once some queued write is ready, so the batch collects every record
 *   whose request is still signing; nobody waits for a commit that could have overlapped their signing.
 * - A write without `ready`, a write when no other write is waiting to be ready (a lone request), and a
 *   full batch are flushed at once.
 *
 * Up to `maxInFlight` flushes run at once (on separate pool connections), so a ready write need not wait
 * for the previous commit. Nothing is dropped: a failed flush fails every write in it.
 */
export class BatchWriter<T> {
  #queue: Entry<T>[] = [];
  /** Writes (queued or flushing) whose `ready` has not settled: the requests a flush could still group. */
  #notReady = 0;
  /** A queued write is needed now: flush as soon as a slot is free. */
  #wanted = false;
  #scheduled = false;
  readonly #inFlight = new Set<Promise<void>>();

  constructor(
    private readonly flush: (items: T[]) => Promise<void>,
    private readonly maxBatch = 500,
    private readonly maxInFlight = 1,
    /** Told of every flush that committed: its size and how long it took (for metrics). */
    private readonly onFlushed?: (size: number, seconds: number) => void,
  ) {}

  /** Writes waiting for a flush to take them. */
  get queued(): number {
    return this.#queue.length;
  }

  write(item: T, ready?: Promise<unknown>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const entry: Entry<T> = {
        item,
        queued: true,
        done: (error) => (error === undefined ? resolve() : reject(error)),
      };
      this.#queue.push(entry);
      if (!ready || this.#notReady === 0 || this.#queue.length >= this.maxBatch) this.#wanted = true;
      if (ready) {
        this.#notReady++;
        const onReady = () => {
          this.#notReady--;
          if (entry.queued) {
            this.#wanted = true;
            this.#schedule();
          }
        };
        ready.then(onReady, onReady);
      }
      this.#schedule();
    });
  }

  /** Resolves when everything written so far has been flushed (or has failed). */
  async drained(): Promise<void> {
    this.#wanted = true;
    this.#schedule();
    while (this.#scheduled || this.#inFlight.size > 0 || this.#queue.length > 0) {
      if (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
      else await new Promise<void>((resolve) => setImmediate(resolve));
      this.#wanted = true;
      this.#schedule();
    }
  }

  #schedule(): void {
    if (this.#scheduled || !this.#wanted || this.#queue.length === 0) return;
    if (this.#inFlight.size >= this.maxInFlight) return;
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
    for (const entry of batch) entry.queued = false;
    // What is left over from a full batch was wanted too.
    this.#wanted = this.#queue.length > 0;
    const started = performance.now();
    const flushing = Promise.resolve(batch.map((entry) => entry.item))
      .then((items) => this.flush(items))
      .then(
        () => {
          this.onFlushed?.(batch.length, (performance.now() - started) / 1000);
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
    this.#schedule();
  }
}

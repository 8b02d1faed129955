import { describe, expect, it } from 'vitest';
import { BatchWriter } from '../../src/server/audit/batch-writer.ts';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
};

describe('BatchWriter', () => {
  it('answers each write only after its batch is flushed, and batches writes that arrive meanwhile', async () => {
    const flushed: number[][] = [];
    const gates: ReturnType<typeof deferred>[] = [];
    const writer = new BatchWriter<number>(async (items) => {
      const gate = deferred();
      gates.push(gate);
      await gate.promise;
      flushed.push(items);
    });
    const settled: number[] = [];
    const first = writer.write(1).then(() => settled.push(1));
    await new Promise((resolve) => setImmediate(resolve));
    const rest = [2, 3, 4].map((n) => writer.write(n).then(() => settled.push(n)));
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toEqual([]);
    gates[0]!.resolve();
    await first;
    expect(settled).toEqual([1]);
    await new Promise((resolve) => setImmediate(resolve));
    gates[1]!.resolve();
    await Promise.all(rest);
    expect(flushed).toEqual([[1], [2, 3, 4]]);
  });

  it('fails every write of a failed flush and keeps working afterwards', async () => {
    let fail = true;
    const writer = new BatchWriter<string>(async () => {
      if (fail) throw new Error('database down');
    });
    await expect(Promise.all([writer.write('a'), writer.write('b')])).rejects.toThrow('database down');
    fail = false;
    await expect(writer.write('c')).resolves.toBeUndefined();
  });

  it('splits a large queue into batches of at most maxBatch', async () => {
    const sizes: number[] = [];
    const writer = new BatchWriter<number>(async (items) => {
      sizes.push(items.length);
    }, 3);
    await Promise.all([1, 2, 3, 4, 5, 6, 7].map((n) => writer.write(n)));
    expect(sizes).toEqual([3, 3, 1]);
  });

  it('runs up to maxInFlight flushes at once, each write answered after its own flush', async () => {
    const gates = new Map<number, ReturnType<typeof deferred>>();
    let running = 0;
    let mostRunning = 0;
    const flushed: number[][] = [];
    const writer = new BatchWriter<number>(
      async (items) => {
        running++;
        mostRunning = Math.max(mostRunning, running);
        const gate = deferred();
        gates.set(items[0]!, gate);
        await gate.promise;
        running--;
        flushed.push(items);
      },
      500,
      2,
    );
    const settled: number[] = [];
    const write = (n: number) => writer.write(n).then(() => settled.push(n));
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    const one = write(1);
    await turn();
    const two = write(2);
    await turn();
    // Two flushes run; the next writes wait for a free slot and then go together.
    const rest = [3, 4].map(write);
    await turn();
    expect([...gates.keys()]).toEqual([1, 2]);
    gates.get(2)!.resolve();
    await two;
    expect(settled).toEqual([2]);
    await turn();
    expect([...gates.keys()]).toEqual([1, 2, 3]);
    gates.get(1)!.resolve();
    gates.get(3)!.resolve();
    await Promise.all([one, ...rest]);
    expect(flushed).toEqual([[2], [1], [3, 4]]);
    expect(mostRunning).toBe(2);
    await writer.drained();
  });

  it('holds a write whose writer is not ready while others are pending, and flushes the group once one is ready', async () => {
    const flushed: number[][] = [];
    const writer = new BatchWriter<number>(async (items) => {
      flushed.push(items);
    });
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    const signed = [deferred(), deferred(), deferred()];
    // Alone, a write goes out at once even though its writer is not ready yet: nothing to wait for.
    const first = writer.write(1, signed[0]!.promise);
    await first;
    expect(flushed).toEqual([[1]]);
    // Now 1 is still signing: 2 and 3 wait to share a commit until one of them is ready.
    const rest = [writer.write(2, signed[1]!.promise), writer.write(3, signed[2]!.promise)];
    await turn();
    await turn();
    expect(flushed).toEqual([[1]]);
    signed[0]!.resolve();
    await turn();
    await turn();
    expect(flushed).toEqual([[1]]);
    signed[2]!.resolve();
    await Promise.all(rest);
    expect(flushed).toEqual([[1], [2, 3]]);
    // A write without `ready`, or once nobody else is pending, goes out at once.
    signed[1]!.resolve();
    await turn();
    await writer.write(4, deferred().promise);
    await writer.write(5);
    expect(flushed).toEqual([[1], [2, 3], [4], [5]]);
  });

  it('flushes a held group when a writer fails before it is ready, and when the batch is full', async () => {
    const flushed: string[][] = [];
    const writer = new BatchWriter<string>(async (items) => {
      flushed.push(items);
    }, 3);
    const pending = deferred();
    void pending.promise;
    const failing = Promise.reject(new Error('signing failed'));
    failing.catch(() => {});
    await writer.write('alone', pending.promise);
    await writer.write('after a failure', failing);
    const full = ['a', 'b', 'c'].map((item) => writer.write(item, new Promise(() => {})));
    await Promise.all(full);
    expect(flushed).toEqual([['alone'], ['after a failure'], ['a', 'b', 'c']]);
  });

  it('drained() flushes writes still held for their writers', async () => {
    const flushed: number[][] = [];
    const writer = new BatchWriter<number>(async (items) => {
      flushed.push(items);
    });
    await writer.write(1, new Promise(() => {}));
    void writer.write(2, new Promise(() => {}));
    await new Promise((resolve) => setImmediate(resolve));
    expect(flushed).toEqual([[1]]);
    await writer.drained();
    expect(flushed).toEqual([[1], [2]]);
  });

  it('drained() waits for every flush still running', async () => {
    const gate = deferred();
    let done = false;
    const writer = new BatchWriter<number>(
      async () => {
        await gate.promise;
        done = true;
      },
      500,
      4,
    );
    void writer.write(1);
    const drained = writer.drained();
    setTimeout(() => gate.resolve(), 5);
    await drained;
    expect(done).toBe(true);
  });
});

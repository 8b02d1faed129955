/**
 * `envid serve` signs tokens on libuv's thread pool (signJwtAsync). Its default of 4 threads on a
 * 2-core machine lets the signers preempt the event loop and each other: one thread per core measured
 * ~10% more tokens per second and a p99 of 16 ms instead of 22 ms (BENCHMARKS.md, decision 0010). An
 * explicit UV_THREADPOOL_SIZE is left alone. Answers the value to set, or undefined.
 */
export function threadPoolSizeFor(env: NodeJS.ProcessEnv, cores: number): string | undefined {
  if (env['UV_THREADPOOL_SIZE'] !== undefined && env['UV_THREADPOOL_SIZE'] !== '') return undefined;
  return String(Math.max(2, cores));
}

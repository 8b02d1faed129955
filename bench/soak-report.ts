import type { Outcome } from './open-loop.ts';
import { percentileOf as percentile } from './percentile.ts';

/** One minute of the soak: the requests due in it, and the server's resident memory at its end. */
export interface SoakMinute {
  requests: number;
  errors: number;
  /** The distinct errors seen, with their counts (e.g. `HTTP 429`). */
  errorKinds: Map<string, number>;
  latenciesMs: number[];
  rssKiB: number;
}

export function emptyMinute(): SoakMinute {
  return { requests: 0, errors: 0, errorKinds: new Map(), latenciesMs: [], rssKiB: Number.NaN };
}

export function recordOutcome(minutes: SoakMinute[], outcome: Outcome): void {
  const minute = minutes[Math.floor(outcome.dueMs / 60_000)];
  if (!minute) return;
  minute.requests++;
  minute.latenciesMs.push(outcome.latencyMs);
  if (outcome.error !== undefined) {
    minute.errors++;
    minute.errorKinds.set(outcome.error, (minute.errorKinds.get(outcome.error) ?? 0) + 1);
  }
}

export interface SoakVerdict {
  errors: number;
  /** Resident memory at the end against the end of the first minute; NaN with one minute only. */
  rssGrowth: number;
  errorsMet: boolean;
  /** Undefined when not measurable (a one-minute run has nothing after its first minute). */
  rssMet: boolean | undefined;
}

/** The soak's targets (issue 17): no errors, and resident memory growing < 10% after the first minute. */
export function judge(minutes: SoakMinute[]): SoakVerdict {
  const errors = minutes.reduce((sum, minute) => sum + minute.errors, 0);
  const first = minutes[0]?.rssKiB ?? Number.NaN;
  const last = minutes.at(-1)?.rssKiB ?? Number.NaN;
  const rssGrowth = minutes.length > 1 ? (last - first) / first : Number.NaN;
  return {
    errors,
    rssGrowth,
    errorsMet: errors === 0,
    rssMet: Number.isNaN(rssGrowth) ? undefined : rssGrowth < 0.1,
  };
}

const mib = (kib: number) => (kib / 1024).toFixed(1);

/** The per-minute table, in markdown for BENCHMARKS.md, and the verdict lines under it. */
export function formatSoak(minutes: SoakMinute[], verdict: SoakVerdict): string {
  const lines = [
    '| minute | requests | errors | p50 ms | p99 ms | max ms | server RSS MiB |',
    '|---|---|---|---|---|---|---|',
  ];
  minutes.forEach((minute, index) => {
    lines.push(
      `| ${index + 1} | ${minute.requests} | ${minute.errors} | ${percentile(minute.latenciesMs, 0.5).toFixed(1)} | ` +
        `${percentile(minute.latenciesMs, 0.99).toFixed(1)} | ${Math.max(...minute.latenciesMs).toFixed(1)} | ` +
        `${mib(minute.rssKiB)} |`,
    );
  });
  const kinds = new Map<string, number>();
  for (const minute of minutes)
    for (const [kind, count] of minute.errorKinds) kinds.set(kind, (kinds.get(kind) ?? 0) + count);
  const kindText = [...kinds].map(([kind, count]) => `${count}x ${kind}`).join(', ');
  lines.push(
    '',
    `errors: ${verdict.errors} (target 0): ${verdict.errorsMet ? 'met' : `MISSED (${kindText})`}`,
    verdict.rssMet === undefined
      ? 'RSS growth after the first minute: not measured (one minute only; run --minutes 2 or more)'
      : `RSS growth after the first minute: ${(verdict.rssGrowth * 100).toFixed(1)}% (target < 10%): ` +
          (verdict.rssMet ? 'met' : 'MISSED'),
  );
  return lines.join('\n');
}

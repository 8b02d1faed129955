import type { LargeDatabase } from './large-database.ts';
import { percentileOf } from './percentile.ts';

/** One filter's ListAuditEvents latencies (first page, 25 events), one call at a time. */
export interface AuditQueryResult {
  filter: string;
  calls: number;
  p50: number;
  p99: number;
  /** Calls answered with anything but 200 (e.g. 503 past the database's statement deadline). */
  failed: number;
  /** The first failure's status and error code, to say why. */
  firstFailure?: string;
}

/** The filters of ListAuditEvents, each alone, as the installation admin asks them. */
export function auditFilters(facts: LargeDatabase, now: Date): Array<{ name: string; body: object }> {
  // One day, half a year back: a time filter that should read one partition's index alone.
  const from = new Date(now.getTime() - 182 * 86_400_000);
  const to = new Date(from.getTime() + 86_400_000);
  return [
    { name: 'organization', body: { organizationId: facts.organizationId } },
    { name: 'principal', body: { filter: { principalId: facts.principalId } } },
    { name: 'kind (token.issued, 9 rows in 10)', body: { filter: { kinds: ['token.issued'] } } },
    { name: `kind (${facts.rareKind}, 1 row in 100,000)`, body: { filter: { kinds: [facts.rareKind] } } },
    { name: 'time range (one day)', body: { filter: { from: from.toISOString(), to: to.toISOString() } } },
  ];
}

/**
 * Calls ListAuditEvents with `body` up to `calls` times one after another (a slow filter stops after
 * `budgetMs`) and answers its latencies.
 */
export async function measureAuditQuery(options: {
  url: string;
  adminToken: string;
  name: string;
  body: object;
  calls: number;
  budgetMs: number;
}): Promise<AuditQueryResult> {
  const latencies: number[] = [];
  let failed = 0;
  let firstFailure: string | undefined;
  const deadline = performance.now() + options.budgetMs;
  while (latencies.length < options.calls && performance.now() < deadline) {
    const started = performance.now();
    const response = await fetch(`${options.url}/api/gitpod.v1.AuditService/ListAuditEvents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${options.adminToken}` },
      body: JSON.stringify(options.body),
    });
    const answer = await response.text();
    latencies.push(performance.now() - started);
    if (!response.ok) {
      failed++;
      firstFailure ??= `${response.status} ${answer.slice(0, 200)}`;
    }
  }
  return {
    filter: options.name,
    calls: latencies.length,
    p50: percentileOf(latencies, 0.5),
    p99: percentileOf(latencies, 0.99),
    failed,
    ...(firstFailure ? { firstFailure } : {}),
  };
}

import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Clock } from '../../core/clock.ts';
import type { Store } from '../../store/store.ts';
import type { KeyRotationStatus } from '../keys/key-manager.ts';
import type { RequestLimits } from '../limits/request-limits.ts';

/** Seconds, from a cached token (~1 ms) to a request that waited on the database for seconds. */
const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const batchSizeBuckets = [1, 2, 5, 10, 20, 50, 100, 200, 500];

/** What the gauges and the counters kept as plain numbers are read from, at scrape time only. */
export interface MetricSources {
  clock: Clock;
  store: Store;
  keys: { rotationStatus(now: Date): KeyRotationStatus };
  audit: { readonly queueDepth: number };
  caches: Record<string, { readonly hits: number; readonly misses: number }>;
  limits: RequestLimits;
}

type Observe = (value: number) => void;

/**
 * One server's Prometheus metrics, in a registry of its own (never prom-client's global one), so that
 * several servers in one process keep apart. The request path pays a map look-up and an observation;
 * everything else is computed when /metrics is scraped (docs/observability.md).
 */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly #latency = new Histogram({
    name: 'envid_http_request_duration_seconds',
    help: 'Time from the request to its answer, by route (the API method or the path pattern)',
    labelNames: ['route'],
    buckets: latencyBuckets,
    registers: [this.registry],
  });
  readonly #tokens = new Counter({
    name: 'envid_id_tokens_total',
    help: 'GetIDToken calls by principal kind, audience profile and outcome (issued or refused)',
    labelNames: ['principal', 'audience_profile', 'outcome'],
    registers: [this.registry],
  });
  readonly #auditBatch = new Histogram({
    name: 'envid_audit_batch_size',
    help: 'Token audit records committed together in one batch',
    buckets: batchSizeBuckets,
    registers: [this.registry],
  });
  readonly #auditCommit = new Histogram({
    name: 'envid_audit_commit_duration_seconds',
    help: 'Time one batch of token audit records took to commit',
    buckets: latencyBuckets,
    registers: [this.registry],
  });
  /** Bound children by label values, made once. */
  readonly #latencyByRoute = new Map<string, Observe>();
  readonly #tokenCounters = new Map<string, () => void>();

  /** What records one answered request of `route`, a pattern (bounded label values); bind it once per route. */
  latencyOf(route: string): Observe {
    let observe = this.#latencyByRoute.get(route);
    if (!observe) {
      const child = this.#latency.labels(route);
      observe = (seconds) => child.observe(seconds);
      this.#latencyByRoute.set(route, observe);
    }
    return observe;
  }

  /** Counts one GetIDToken call; `principal` is a principal kind or `none` (not authenticated). */
  countToken(principal: string, outcome: 'issued' | 'refused'): void {
    const key = `${principal}/${outcome}`;
    let count = this.#tokenCounters.get(key);
    if (!count) {
      // Audience profiles are not configurable yet: every token is made by the default one.
      const child = this.#tokens.labels(principal, 'default', outcome);
      count = () => child.inc();
      this.#tokenCounters.set(key, count);
    }
    count();
  }

  /** Records one committed audit batch. */
  observeAuditFlush(size: number, seconds: number): void {
    this.#auditBatch.observe(size);
    this.#auditCommit.observe(seconds);
  }

  /** Registers the gauges and counters read from the server's parts when scraped. */
  describe(sources: MetricSources): void {
    const { registry } = this;
    new Gauge({
      name: 'envid_signing_key_age_seconds',
      help: 'Age of each signing key in the key set, by kid and state (next, current, retired)',
      labelNames: ['kid', 'state'],
      registers: [registry],
      collect() {
        this.reset();
        for (const key of sources.keys.rotationStatus(sources.clock.now()).keys) {
          this.set({ kid: key.id, state: key.state }, key.ageSeconds);
        }
      },
    });
    new Gauge({
      name: 'envid_signing_key_rotation_seconds',
      help: 'Seconds until the next signing key takes over (0 when it is due, or while no key signs)',
      registers: [registry],
      collect() {
        this.set(sources.keys.rotationStatus(sources.clock.now()).secondsToRotation ?? 0);
      },
    });
    new Gauge({
      name: 'envid_audit_queue_depth',
      help: 'Token audit records waiting for their batch to commit',
      registers: [registry],
      collect() {
        this.set(sources.audit.queueDepth);
      },
    });
    // The embedded database has one session and no pool: its pool metrics are left out, not reported as 0.
    if (sources.store.poolStats?.()) describePool(registry, sources.store);
    const caches = Object.entries(sources.caches);
    countedAtScrape(registry, {
      name: 'envid_cache_hits_total',
      help: 'Look-ups answered from memory, by cache',
      labelName: 'cache',
      read: () => caches.map(([name, cache]) => [name, cache.hits]),
    });
    countedAtScrape(registry, {
      name: 'envid_cache_misses_total',
      help: 'Look-ups that loaded from the database, by cache',
      labelName: 'cache',
      read: () => caches.map(([name, cache]) => [name, cache.misses]),
    });
    countedAtScrape(registry, {
      name: 'envid_rate_limit_refusals_total',
      help: 'Requests refused with 429 by a rate limit, by limit (tokens, auth_failures, sso_start)',
      labelName: 'limit',
      read: () => Object.entries(sources.limits.refusals),
    });
  }
}

function describePool(registry: Registry, store: Store): void {
  new Gauge({
    name: 'envid_database_pool_connections',
    help: 'PostgreSQL pool connections by state (in_use, idle) and callers waiting for one (waiting)',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const pool = store.poolStats?.();
      if (!pool) return;
      this.set({ state: 'in_use' }, pool.inUse);
      this.set({ state: 'idle' }, pool.idle);
      this.set({ state: 'waiting' }, pool.waiting);
    },
  });
  new Gauge({
    name: 'envid_database_pool_max_connections',
    help: 'The most connections the PostgreSQL pool opens',
    registers: [registry],
    collect() {
      this.set(store.poolStats?.()?.max ?? 0);
    },
  });
}

/** A counter whose values live elsewhere as plain numbers (free to count); brought up to date when scraped. */
function countedAtScrape(
  registry: Registry,
  spec: { name: string; help: string; labelName: string; read: () => [string, number][] },
): void {
  const seen = new Map<string, number>();
  new Counter({
    name: spec.name,
    help: spec.help,
    labelNames: [spec.labelName],
    registers: [registry],
    collect() {
      for (const [label, value] of spec.read()) {
        const delta = value - (seen.get(label) ?? 0);
        // Touch every label, so a count still at 0 shows up as 0 rather than not at all.
        this.inc({ [spec.labelName]: label }, delta > 0 ? delta : 0);
        seen.set(label, value);
      }
    },
  });
}

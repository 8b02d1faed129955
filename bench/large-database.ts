import { type Kysely, sql } from 'kysely';
import { monthStart, partitionName } from '../src/store/audit-partitions.ts';
import { openStore, type StoreOptions } from '../src/store/open-store.ts';
import type { SqlStore } from '../src/store/sql/sql-store.ts';
import { type OrganizationShape, seedOrganization } from '../test/support/seed-organization.ts';

/** What a large installation's database holds, for the scale rows of `npm run bench --scale`. */
export interface LargeDatabaseSize {
  environments: number;
  auditRows: number;
  /** The audit rows are spread evenly over the months before this instant (its month included). */
  now: Date;
  months: number;
}

/** What the ListAuditEvents figures filter on: a principal and a kind that are in the seeded log. */
export interface LargeDatabase {
  organizationId: string;
  /** An environment of the big organization with its share of the audit rows. */
  principalId: string;
  /** A kind with one row in every 100,000: a filter that its index does not narrow. */
  rareKind: 'oidc_config.updated';
}

/** Audit rows per INSERT ... SELECT: one statement stays well inside memory and the WAL. */
const auditChunk = 500_000;
/** Organizations besides the seeded one that own a tenth of the audit rows (their records are gone). */
const otherOrganizations = 50;

/**
 * Seeds an organization of `environments` environments (set-based inserts through the store) and
 * `auditRows` audit rows (INSERT ... SELECT generate_series, in month partitions created first, as a
 * server would have over the months), on either engine. Nine rows in ten are tokens of the
 * organization's environments, each environment with its share; a tenth belong to other organizations.
 */
export async function seedLargeDatabase(
  options: StoreOptions,
  size: LargeDatabaseSize,
  log: (message: string) => void,
): Promise<LargeDatabase> {
  // Half a million rows in one statement take longer than a server's statement deadline.
  const store = (await openStore({ ...options, queryTimeoutMs: 3_600_000 })) as SqlStore;
  try {
    const shape: OrganizationShape = {
      members: 1_000,
      formerMembers: 0,
      serviceAccounts: 100,
      runners: 10,
      projects: 100,
      environments: size.environments - Math.floor(size.environments / 10),
      bigProjectEnvironments: Math.floor(size.environments / 10),
    };
    const started = performance.now();
    const seeded = await seedOrganization(store, shape);
    log(`${store.engine}: ${size.environments} environments in ${seconds(started)} s`);
    const db = store.db;
    await createMonthPartitions(db, size);
    const first = monthStart(size.now, 1 - size.months).getTime();
    const spanMs = size.now.getTime() - first;
    const auditStarted = performance.now();
    for (let from = 0; from < size.auditRows; from += auditChunk) {
      const to = Math.min(size.auditRows, from + auditChunk) - 1;
      await insertAuditRows(
        db,
        { from, to, total: size.auditRows, first, spanMs },
        { id: seeded.organizationId, environments: size.environments },
      );
      log(`${store.engine}: ${to + 1} of ${size.auditRows} audit rows (${seconds(auditStarted)} s)`);
    }
    await sql`analyze`.execute(db);
    const principal = await sql<{ id: string }>`select id from environments
      where organization_id = ${seeded.organizationId} order by id limit 1`.execute(db);
    return {
      organizationId: seeded.organizationId,
      principalId: principal.rows[0]!.id,
      rareKind: 'oidc_config.updated',
    };
  } finally {
    await store.close();
  }
}

const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(0);

/** The past months' partitions (the migration created this month and the next two). */
async function createMonthPartitions(db: Kysely<any>, size: LargeDatabaseSize): Promise<void> {
  for (let offset = 1 - size.months; offset < 0; offset++) {
    const from = monthStart(size.now, offset);
    await sql
      .raw(
        `create table if not exists ${partitionName(from)} partition of audit_events ` +
          `for values from ('${from.toISOString()}') to ('${monthStart(from, 1).toISOString()}')`,
      )
      .execute(db);
  }
}

/**
 * Rows `from`..`to` of `total`, row g created at first + g/total of the span (so every month has its
 * share, oldest first). Principals are the organization's environments in turn (a hash join on their
 * rank, modulo one less than their count so that every rank, not only those off the tenths, gets rows); IDs are md5-derived UUIDs (random enough, and cheap for the database to make).
 */
async function insertAuditRows(
  db: Kysely<any>,
  rows: { from: number; to: number; total: number; first: number; spanMs: number },
  organization: { id: string; environments: number },
): Promise<void> {
  const organizationId = organization.id;
  await sql`
    with principals as materialized (
      select id, row_number() over (order by id) - 1 as rank
      from environments where organization_id = ${organizationId}
    )
    insert into audit_events (id, kind, organization_id, principal_kind, principal_id, actor_kind, actor_id, details, created_at)
    select
      md5('event' || g)::uuid,
      case when row.rare then 'oidc_config.updated' else 'token.issued' end,
      case when g % 10 = 0 then md5('organization' || (g % ${otherOrganizations}))::uuid else ${organizationId}::uuid end,
      case when row.rare then null else 'environment' end,
      case when row.rare then null else row.principal end,
      case when row.rare then 'user' else 'environment' end,
      row.principal,
      case when row.rare then jsonb_build_object(
        'before', jsonb_build_object('version', 'v3', 'extraSubFields', jsonb_build_array()),
        'after', jsonb_build_object('version', 'v3', 'extraSubFields', jsonb_build_array('creator_email')),
        'subChanges', 0
      ) else jsonb_build_object(
        'jti', md5('jti' || g), 'audiences', jsonb_build_array('sts.amazonaws.com'),
        'sub', 'org:' || ${organizationId} || ':env:' || row.principal,
        'iat', extract(epoch from row.created)::bigint,
        'exp', extract(epoch from row.created)::bigint + 3600, 'clientAddress', '10.0.0.1'
      ) end,
      row.created
    from generate_series(${rows.from}::bigint, ${rows.to}::bigint) as g
      left join principals on principals.rank = g % ${organization.environments - 1}::bigint,
      lateral (select
        -- One configuration change (by a user) in every 100,000 rows, the rest issued tokens.
        g % 100000 = 99999 as rare,
        case when g % 10 = 0 then md5('principal' || g)::uuid else principals.id end as principal,
        to_timestamp((${rows.first}::bigint + ${rows.spanMs}::bigint * g / ${rows.total}::bigint) / 1000.0) as created
      ) as row
  `.execute(db);
}

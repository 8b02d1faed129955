/**
 * The audit log partitioned by month (docs/storage.md#the-audit-log-by-month), so that retention drops
 * whole partitions instead of deleting rows, and a time filter reads only its months. The primary key
 * holds the partition key, as PostgreSQL requires; event IDs are random UUIDs, indexed for lookups.
 * Existing rows move into partitions of their months; the months from now to two ahead are created
 * too, and a default partition takes anything else until a server creates its month
 * (src/store/sql/audit-partitions.ts).
 */
export const up = `
alter table audit_events rename to audit_events_unpartitioned;
alter table audit_events_unpartitioned rename constraint audit_events_pkey to audit_events_unpartitioned_pkey;
drop index audit_events_time;
drop index audit_events_org;
drop index audit_events_principal;

create table audit_events (
  id uuid not null,
  kind text not null,
  organization_id uuid,
  principal_kind text,
  principal_id uuid,
  actor_kind text,
  actor_id uuid,
  details jsonb not null,
  created_at timestamptz not null,
  primary key (created_at, id)
) partition by range (created_at);
create index audit_events_id on audit_events (id);
create index audit_events_org on audit_events (organization_id, created_at, id);
create index audit_events_principal on audit_events (principal_id, created_at, id);
create table audit_events_default partition of audit_events default;

do $$
declare
  month timestamptz;
begin
  for month in
    select distinct date_trunc('month', created_at, 'UTC') from audit_events_unpartitioned
    union
    select date_trunc('month', now(), 'UTC') + make_interval(months => ahead) from generate_series(0, 2) as ahead
  loop
    execute format(
      'create table %I partition of audit_events for values from (%L) to (%L)',
      'audit_events_p' || to_char(month at time zone 'UTC', 'YYYY_MM'),
      month,
      month + interval '1 month'
    );
  end loop;
end
$$;

insert into audit_events select id, kind, organization_id, principal_kind, principal_id, actor_kind, actor_id, details, created_at
  from audit_events_unpartitioned;
drop table audit_events_unpartitioned;
`;

/** Signing keys (docs/tokens.md#discovery-jwks-and-signing-keys) and the audit log (docs/api.md#auditservice). */
export const up = `
create table signing_keys (
  id text primary key,
  state text not null check (state in ('next', 'current', 'retired')),
  algorithm text not null check (algorithm = 'RS256'),
  public_jwk jsonb not null,
  encrypted_private_key text not null,
  created_at timestamptz not null,
  published_at timestamptz not null,
  activated_at timestamptz,
  retired_at timestamptz
);
-- At most one signing and one waiting key, whichever replicas race: a second one fails to insert.
-- (Apply a plan's decisions in order: retire before promote.)
create unique index signing_keys_one_current on signing_keys (state) where state = 'current';
create unique index signing_keys_one_next on signing_keys (state) where state = 'next';

-- No foreign keys: the audit log outlives the organizations and principals it names.
create table audit_events (
  id uuid primary key,
  kind text not null,
  organization_id uuid,
  principal_kind text,
  principal_id uuid,
  actor_kind text,
  actor_id uuid,
  details jsonb not null,
  created_at timestamptz not null
);
create index audit_events_time on audit_events (created_at, id);
create index audit_events_org on audit_events (organization_id, created_at, id);
create index audit_events_principal on audit_events (principal_id, created_at, id);
`;

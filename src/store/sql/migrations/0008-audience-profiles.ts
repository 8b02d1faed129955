/**
 * Organizations' audience profiles (docs/decisions/0190-audience-profiles.md): how tokens for some
 * audiences are shaped. An organization without any keeps today's tokens.
 */
export const up = `
create table audience_profiles (
  id uuid primary key,
  organization_id uuid not null references organizations(id) on delete cascade,
  name text not null,
  -- JSON list of exact audiences and '*' patterns; ties between profiles are refused by the service.
  audiences jsonb not null,
  oidc_config jsonb not null,
  lifetime_seconds integer not null,
  signing_algorithm text not null check (signing_algorithm in ('RS256', 'ES256')),
  extra_claims jsonb not null,
  -- Grows on every update: part of the token cache's key.
  version integer not null,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  unique (organization_id, name)
);
create index audience_profiles_organization on audience_profiles(organization_id);
`;

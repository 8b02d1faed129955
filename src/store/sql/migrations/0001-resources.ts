/** Organizations, users, memberships, service accounts, runners, projects, environments, credentials. */
export const up = `
create table organizations (
  id uuid primary key,
  name text not null,
  oidc_config jsonb not null,
  created_at timestamptz not null
);

create table users (
  id uuid primary key,
  email text not null unique,
  name text not null,
  idp text,
  idp_claims jsonb,
  created_at timestamptz not null
);

create table memberships (
  id uuid primary key,
  organization_id uuid not null references organizations(id) on delete cascade,
  user_id uuid not null references users(id) on delete cascade,
  role text not null check (role in ('admin', 'member')),
  created_at timestamptz not null,
  unique (organization_id, user_id)
);
create index memberships_user on memberships(user_id);

create table service_accounts (
  id uuid primary key,
  organization_id uuid not null references organizations(id) on delete cascade,
  name text not null,
  created_at timestamptz not null
);
create index service_accounts_org on service_accounts(organization_id, created_at, id);

create table runners (
  id uuid primary key,
  organization_id uuid not null references organizations(id) on delete cascade,
  name text not null,
  created_at timestamptz not null
);
create index runners_org on runners(organization_id, created_at, id);

create table projects (
  id uuid primary key,
  organization_id uuid not null references organizations(id) on delete cascade,
  name text not null,
  initializers jsonb not null,
  created_at timestamptz not null
);
create index projects_org on projects(organization_id, created_at, id);

create table environments (
  id uuid primary key,
  organization_id uuid not null references organizations(id) on delete cascade,
  project_id uuid references projects(id) on delete set null,
  runner_id uuid not null references runners(id) on delete cascade,
  creator_id uuid not null,
  creator_principal text not null check (creator_principal in ('user', 'service_account')),
  initializers jsonb not null,
  status text not null check (status in ('running', 'stopped', 'deleted')),
  created_at timestamptz not null
);
create index environments_org on environments(organization_id, created_at, id);

create table credentials (
  id uuid primary key,
  principal_kind text not null
    check (principal_kind in ('installation_admin', 'user', 'service_account', 'runner', 'environment')),
  principal_id uuid,
  organization_id uuid references organizations(id) on delete cascade,
  secret_hash text not null unique,
  description text not null,
  created_at timestamptz not null,
  expires_at timestamptz,
  revoked_at timestamptz
);
create index credentials_principal on credentials(principal_id, created_at, id);
`;

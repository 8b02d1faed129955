/**
 * Organizations' SSO configurations (OrganizationService *SSOConfiguration), the upstream identities
 * users sign in with, sign-ins under way, and browser sessions (docs/decisions/0180-sso-sign-in.md).
 */
export const up = `
create table sso_configurations (
  id uuid primary key,
  organization_id uuid not null references organizations(id) on delete cascade,
  issuer_url text not null,
  client_id text not null,
  -- Sealed under the master key (envid-secret:v1:...); never the secret in the clear.
  encrypted_client_secret text not null,
  -- JSON arrays of strings; email_domains in lower case, never empty.
  email_domains jsonb not null,
  state text not null check (state in ('active', 'inactive')),
  claims jsonb not null,
  additional_scopes jsonb not null,
  forwarded_claims jsonb not null,
  claims_expression text not null,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  -- One configuration per upstream client in an organization.
  unique (organization_id, issuer_url, client_id)
);
create index sso_configurations_organization on sso_configurations(organization_id);

-- Who a user is upstream: found by (issuer, subject), never by e-mail alone.
create table user_identities (
  id uuid primary key,
  user_id uuid not null references users(id) on delete cascade,
  issuer text not null,
  subject text not null,
  created_at timestamptz not null,
  unique (issuer, subject)
);
create index user_identities_user on user_identities(user_id);

-- A sign-in between /sso/start and /sso/callback: the ID is the SHA-256 of its state; used once.
create table sso_sign_ins (
  id text primary key,
  sso_configuration_id uuid not null references sso_configurations(id) on delete cascade,
  code_verifier text not null,
  nonce text not null,
  return_to text not null,
  created_at timestamptz not null,
  expires_at timestamptz not null
);

-- A browser's session: the cookie holds the secret, the row its SHA-256 (revocable, never the secret).
create table browser_sessions (
  id uuid primary key,
  user_id uuid not null references users(id) on delete cascade,
  secret_hash text not null unique,
  created_at timestamptz not null,
  expires_at timestamptz not null,
  revoked_at timestamptz
);
create index browser_sessions_user on browser_sessions(user_id);
`;

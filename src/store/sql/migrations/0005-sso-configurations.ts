/** Organizations' SSO configurations (OrganizationService *SSOConfiguration). */
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
`;

/**
 * Command-line sign-in through an organization's SSO (docs/decisions/0181-sso-command-line-sign-in.md):
 * a browser sign-in may be for the CLI (its loopback redirect and PKCE challenge, or the device
 * authorization it completes), and the grants the CLI redeems for a personal access token.
 */
export const up = `
alter table sso_sign_ins
  add column cli_redirect_uri text,
  add column cli_code_challenge text,
  add column cli_state text,
  add column device_grant_id text;

-- What the CLI redeems at POST /sso/cli/token. The ID is the SHA-256 of the one-time code (loopback)
-- or of the device code (device flow): the database never holds a usable code. Deleted when redeemed.
create table sso_cli_grants (
  id text primary key,
  kind text not null check (kind in ('loopback', 'device')),
  sso_configuration_id uuid not null references sso_configurations(id) on delete cascade,
  state text not null check (state in ('pending', 'approved', 'denied')),
  -- The signed-in user, once approved.
  user_id uuid references users(id) on delete cascade,
  -- Loopback: the CLI's PKCE S256 challenge and its redirect URI.
  code_challenge text,
  redirect_uri text,
  -- Device flow: the SHA-256 of the user code typed on the second device.
  user_code_hash text unique,
  refusal text,
  polled_at timestamptz,
  created_at timestamptz not null,
  expires_at timestamptz not null
);
create index sso_cli_grants_created on sso_cli_grants(created_at);
`;

/** Organization invites, invite domains and verified e-mail addresses (OrganizationService/JoinOrganization). */
export const up = `
-- One invite per organization: creating a new one replaces it.
create table organization_invites (
  id uuid primary key,
  organization_id uuid not null unique references organizations(id) on delete cascade,
  created_at timestamptz not null,
  expires_at timestamptz not null
);

-- A JSON array of lower-case domains, or null when there are none.
alter table organizations add column invite_domains jsonb;

-- Users so far were all created by the installation admin, who vouches for their addresses. New rows
-- must say (no default), so that a user from SSO is never verified by accident.
alter table users add column email_verified boolean not null default true;
alter table users alter column email_verified drop default;
`;

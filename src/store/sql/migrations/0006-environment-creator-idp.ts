/**
 * An environment records its creator's SSO issuer and forwarded claims when it is created, so its
 * tokens keep them when the creator's change at a later sign-in (docs/decisions/0185). Environments
 * created before this migration take their creator's as they are now: until now nothing could set a
 * user's, so this is what their tokens already carried.
 */
export const up = `
alter table environments add column creator_idp text, add column creator_idp_claims jsonb;
update environments e set creator_idp = u.idp, creator_idp_claims = u.idp_claims
  from users u
  where e.creator_principal = 'user' and e.creator_id = u.id and u.idp is not null;
`;

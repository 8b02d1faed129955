/** AWS session tags per audience profile (docs/tokens.md#aws-session-tags); null for none. */
export const up = `
alter table audience_profiles add column aws_session_tags jsonb;
`;

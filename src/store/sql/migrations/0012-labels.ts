/**
 * Projects and environments carry labels (docs/decisions/0191-labels-as-claims.md): a jsonb map, null
 * for none, so existing rows need nothing written.
 */
export const up = `
alter table projects add column labels jsonb;
alter table environments add column labels jsonb;
`;

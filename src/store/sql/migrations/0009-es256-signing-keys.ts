/**
 * ES256 (P-256) signing keys beside RS256 (docs/decisions/0193): one current and at most one next key
 * per algorithm, so the unique indexes now cover (algorithm, state).
 */
export const up = `
alter table signing_keys drop constraint if exists signing_keys_algorithm_check;
alter table signing_keys add constraint signing_keys_algorithm_check check (algorithm in ('RS256', 'ES256'));
drop index signing_keys_one_current;
drop index signing_keys_one_next;
create unique index signing_keys_one_current on signing_keys (algorithm, state) where state = 'current';
create unique index signing_keys_one_next on signing_keys (algorithm, state) where state = 'next';
`;

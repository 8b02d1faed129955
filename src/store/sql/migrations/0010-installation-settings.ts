/**
 * The settings every server sharing this database must agree on, recorded by the first to start
 * (docs/decisions/0198-replicas-and-workers.md). One row; the master key only as its public key ID.
 */
export const up = `
create table installation_settings (
  id uuid primary key,
  issuer text,
  master_key_id text not null,
  key_bits integer not null,
  key_rotation_days double precision not null,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
`;

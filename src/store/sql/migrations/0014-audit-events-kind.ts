/**
 * ListAuditEvents filtered by kind, indexed like its other filters: at 10 million rows a rare kind
 * (say `oidc_config.updated`) took seconds without it (BENCHMARKS.md, "Scale"). Declared on the
 * partitioned table, so every month's partition gets it.
 */
export const up = `
create index audit_events_kind on audit_events (kind, created_at, id);
`;

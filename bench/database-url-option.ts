/** `--database-url`, shared by the benches: where the PostgreSQL runs get databases of their own. */
export const databaseUrlOption = {
  type: 'string',
  default:
    process.env['ENVID_BENCH_DATABASE_URL'] ??
    process.env['ENVID_TEST_DATABASE_URL'] ??
    'postgres://postgres@127.0.0.1:5432/postgres',
} as const;

import { type Kysely, sql } from 'kysely';
import type { Records } from '../records.ts';
import type { Collections, Store } from '../store.ts';
import { changeChannel, type InTransaction, SqlCollection, type TableSpec } from './collection.ts';
import type { SqlDatabase } from './database.ts';

const tables: { [K in keyof Records]: TableSpec } = {
  organizations: { table: 'organizations', json: ['oidcConfig'] },
  users: { table: 'users', json: ['idpClaims'] },
  memberships: { table: 'memberships', json: [] },
  serviceAccounts: { table: 'service_accounts', json: [] },
  runners: { table: 'runners', json: [] },
  projects: { table: 'projects', json: ['initializers'] },
  environments: { table: 'environments', json: ['initializers'] },
  credentials: { table: 'credentials', json: [] },
  signingKeys: { table: 'signing_keys', json: ['publicJwk'] },
  auditEvents: { table: 'audit_events', json: ['details'], quiet: true },
};

/** The one Store implementation, on PGlite or PostgreSQL alike. */
export class SqlStore implements Store {
  readonly organizations!: Collections['organizations'];
  readonly users!: Collections['users'];
  readonly memberships!: Collections['memberships'];
  readonly serviceAccounts!: Collections['serviceAccounts'];
  readonly runners!: Collections['runners'];
  readonly projects!: Collections['projects'];
  readonly environments!: Collections['environments'];
  readonly credentials!: Collections['credentials'];
  readonly signingKeys!: Collections['signingKeys'];
  readonly auditEvents!: Collections['auditEvents'];

  constructor(
    readonly engine: 'pglite' | 'postgres',
    private readonly database: SqlDatabase,
    readonly db: Kysely<any> = database.db,
    private readonly inTx = false,
  ) {
    const inTransaction: InTransaction = (work) =>
      this.inTx ? work(this.db) : this.db.transaction().execute((tx) => work(tx));
    for (const [name, spec] of Object.entries(tables)) {
      (this as Record<string, unknown>)[name] = new SqlCollection(db, spec, inTransaction);
    }
  }

  transaction<T>(work: (tx: Store) => Promise<T>): Promise<T> {
    if (this.inTx) return work(this);
    return this.db.transaction().execute((tx) => work(new SqlStore(this.engine, this.database, tx, true)));
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  watchChanges(onChange: (collection: string) => void): Promise<() => Promise<void>> {
    return this.database.listen(changeChannel, onChange, () => onChange('*'));
  }

  close(): Promise<void> {
    return this.database.close();
  }
}

import { type Kysely, sql } from 'kysely';
import type { Records } from '../records.ts';
import type { Collections, Store } from '../store.ts';
import { changeChannel, type InTransaction, SqlCollection, type TableSpec } from './collection.ts';
import type { SqlDatabase } from './database.ts';

const tables: { [K in keyof Records]: TableSpec } = {
  organizations: { table: 'organizations', json: ['oidcConfig'], uuid: ['id'] },
  users: { table: 'users', json: ['idpClaims'], uuid: ['id'] },
  memberships: { table: 'memberships', json: [], uuid: ['id', 'organizationId', 'userId'] },
  serviceAccounts: { table: 'service_accounts', json: [], uuid: ['id', 'organizationId'] },
  runners: { table: 'runners', json: [], uuid: ['id', 'organizationId'] },
  projects: { table: 'projects', json: ['initializers'], uuid: ['id', 'organizationId'] },
  environments: {
    table: 'environments',
    json: ['initializers'],
    uuid: ['id', 'organizationId', 'projectId', 'runnerId', 'creatorId'],
  },
  credentials: { table: 'credentials', json: [], uuid: ['id', 'principalId', 'organizationId'] },
  // The ID is the key's `kid` (a thumbprint), not a UUID.
  signingKeys: { table: 'signing_keys', json: ['publicJwk'] },
  auditEvents: {
    table: 'audit_events',
    json: ['details'],
    quiet: true,
    uuid: ['id', 'organizationId', 'principalId', 'actorId'],
  },
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

  transaction<T>(work: (tx: Store) => Promise<T>, options: { lock?: string } = {}): Promise<T> {
    const run = async (db: Kysely<any>, store: Store) => {
      if (options.lock) await sql`select pg_advisory_xact_lock(hashtext(${options.lock}))`.execute(db);
      return work(store);
    };
    if (this.inTx) return run(this.db, this);
    return this.db.transaction().execute((tx) => run(tx, new SqlStore(this.engine, this.database, tx, true)));
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

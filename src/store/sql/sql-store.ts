import { type Kysely, sql } from 'kysely';
import type { AuditPartitions } from '../audit-partitions.ts';
import type { Records } from '../records.ts';
import type { Collections, PoolStats, Store } from '../store.ts';
import { changeChannel, type InTransaction, SqlCollection, type TableSpec } from './collection.ts';
import type { SqlDatabase } from './database.ts';
import { SqlAuditPartitions } from './sql-audit-partitions.ts';

const tables: { [K in keyof Records]: TableSpec } = {
  organizations: {
    table: 'organizations',
    json: ['oidcConfig', 'inviteDomains'],
    stringLists: ['inviteDomains'],
    uuid: ['id'],
  },
  users: { table: 'users', json: ['idpClaims'], uuid: ['id'] },
  memberships: { table: 'memberships', json: [], uuid: ['id', 'organizationId', 'userId'] },
  organizationInvites: { table: 'organization_invites', json: [], uuid: ['id', 'organizationId'] },
  serviceAccounts: { table: 'service_accounts', json: [], uuid: ['id', 'organizationId'] },
  runners: { table: 'runners', json: [], uuid: ['id', 'organizationId'] },
  projects: { table: 'projects', json: ['initializers', 'labels'], uuid: ['id', 'organizationId'] },
  environments: {
    table: 'environments',
    json: ['initializers', 'creatorIdpClaims', 'labels'],
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
  ssoConfigurations: {
    table: 'sso_configurations',
    json: ['emailDomains', 'claims', 'additionalScopes', 'forwardedClaims'],
    stringLists: ['emailDomains'],
    uuid: ['id', 'organizationId'],
  },
  userIdentities: { table: 'user_identities', json: [], uuid: ['id', 'userId'] },
  // The ID is the SHA-256 of the sign-in's state, not a UUID.
  ssoSignIns: { table: 'sso_sign_ins', json: [], quiet: true, uuid: ['ssoConfigurationId'] },
  browserSessions: { table: 'browser_sessions', json: [], quiet: true, uuid: ['id', 'userId'] },
  installationSettings: { table: 'installation_settings', json: [], quiet: true, uuid: ['id'] },
  audienceProfiles: {
    table: 'audience_profiles',
    json: ['audiences', 'oidcConfig', 'extraClaims', 'awsSessionTags'],
    uuid: ['id', 'organizationId'],
  },
  // The ID is the SHA-256 of the one-time code or device code, not a UUID.
  ssoCliGrants: {
    table: 'sso_cli_grants',
    json: [],
    quiet: true,
    uuid: ['ssoConfigurationId', 'userId'],
  },
};

/** The one Store implementation, on PGlite or PostgreSQL alike. */
export class SqlStore implements Store {
  readonly organizations!: Collections['organizations'];
  readonly users!: Collections['users'];
  readonly memberships!: Collections['memberships'];
  readonly organizationInvites!: Collections['organizationInvites'];
  readonly serviceAccounts!: Collections['serviceAccounts'];
  readonly runners!: Collections['runners'];
  readonly projects!: Collections['projects'];
  readonly environments!: Collections['environments'];
  readonly credentials!: Collections['credentials'];
  readonly signingKeys!: Collections['signingKeys'];
  readonly auditEvents!: Collections['auditEvents'];
  readonly ssoConfigurations!: Collections['ssoConfigurations'];
  readonly userIdentities!: Collections['userIdentities'];
  readonly ssoSignIns!: Collections['ssoSignIns'];
  readonly browserSessions!: Collections['browserSessions'];
  readonly auditPartitions: AuditPartitions;
  readonly installationSettings!: Collections['installationSettings'];
  readonly audienceProfiles!: Collections['audienceProfiles'];
  readonly ssoCliGrants!: Collections['ssoCliGrants'];

  /** This process's watchers, shared by every transaction view of the store. */
  readonly #watchers: Set<(collection: string) => void>;
  /** Inside a transaction: the tables written, announced to this process's watchers after commit. */
  readonly #written: Set<string> | undefined;

  constructor(
    readonly engine: 'pglite' | 'postgres',
    private readonly database: SqlDatabase,
    readonly db: Kysely<any> = database.db,
    parent?: { watchers: Set<(collection: string) => void>; written: Set<string> },
  ) {
    this.#watchers = parent?.watchers ?? new Set();
    this.#written = parent?.written;
    this.auditPartitions = new SqlAuditPartitions(db);
    const inTransaction: InTransaction = (work) =>
      this.#written ? work(this.db) : this.db.transaction().execute((tx) => work(tx));
    const committed = (table: string) => {
      if (this.#written) this.#written.add(table);
      else this.#tell(table);
    };
    for (const [name, spec] of Object.entries(tables)) {
      (this as Record<string, unknown>)[name] = new SqlCollection(db, spec, inTransaction, committed);
    }
  }

  async transaction<T>(work: (tx: Store) => Promise<T>, options: { lock?: string } = {}): Promise<T> {
    const run = async (db: Kysely<any>, store: Store) => {
      if (options.lock) await sql`select pg_advisory_xact_lock(hashtext(${options.lock}))`.execute(db);
      return work(store);
    };
    if (this.#written) return run(this.db, this);
    const written = new Set<string>();
    const result = await this.db
      .transaction()
      .execute((tx) =>
        run(tx, new SqlStore(this.engine, this.database, tx, { watchers: this.#watchers, written })),
      );
    for (const table of written) this.#tell(table);
    return result;
  }

  #tell(table: string): void {
    for (const watcher of this.#watchers) watcher(table);
  }

  poolStats(): PoolStats | undefined {
    return this.database.poolStats?.();
  }

  changesConnected(): boolean {
    return this.database.listening();
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  /**
   * This process hears of its own writes at once, after commit; the database's NOTIFY tells every
   * server; on PostgreSQL the echo of this process's own writes is dropped (they were announced already).
   */
  async watchChanges(onChange: (collection: string) => void): Promise<() => Promise<void>> {
    const stopListening = await this.database.listen(changeChannel, onChange, () => onChange('*'));
    this.#watchers.add(onChange);
    return async () => {
      this.#watchers.delete(onChange);
      await stopListening();
    };
  }

  close(): Promise<void> {
    return this.database.close();
  }
}

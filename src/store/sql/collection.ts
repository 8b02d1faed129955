import { type Kysely, sql } from 'kysely';
import { isUuid } from '../../core/ids.ts';
import { textProblem } from '../../core/storable-text.ts';
import {
  AlreadyExistsError,
  DatabaseError,
  InvalidPageTokenError,
  MissingReferenceError,
  NotFoundError,
} from '../errors.ts';
import {
  type Collection,
  type CreatedRange,
  defaultPageSize,
  earliestStoredTime,
  type Filter,
  latestStoredTime,
  maxBatchSize,
  maxPageSize,
  type Page,
  type PageRequest,
} from '../store.ts';

/** How one record kind maps onto its table. Columns are the fields in snake_case. */
export interface TableSpec {
  table: string;
  /** Fields stored as jsonb. */
  json: readonly string[];
  /**
   * Fields stored as uuid. A lookup by a value that is not a UUID matches nothing (PostgreSQL would
   * reject the query instead, and on the API a malformed ID is simply one that does not exist).
   */
  uuid?: readonly string[];
  /**
   * jsonb fields holding a list of strings: a filter on one matches the records whose list holds the
   * value (one query, on the same rows an equality filter would read).
   */
  stringLists?: readonly string[];
  /** Writes announce no change (nothing is cached from this table, e.g. the audit log). */
  quiet?: true;
}

/** The NOTIFY channel on which writes announce the table they changed, for other servers' caches. */
export const changeChannel = 'envid_changes';

const snakeNames = new Map<string, string>();
/** A field's column name; remembered, since the audit batches convert every field of every row. */
const snake = (field: string): string => {
  let column = snakeNames.get(field);
  if (column === undefined) {
    column = field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    snakeNames.set(field, column);
  }
  return column;
};
const camelNames = new Map<string, string>();
/** A column's field name; remembered too (an organization-wide read converts tens of thousands of rows). */
const camel = (column: string): string => {
  let field = camelNames.get(column);
  if (field === undefined) {
    field = column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    camelNames.set(column, field);
  }
  return field;
};

/** Runs `work` in a transaction, or in the caller's when `db` already is one. */
export type InTransaction = <T>(work: (db: Kysely<any>) => Promise<T>) => Promise<T>;

export class SqlCollection<R extends { id: string }> implements Collection<R> {
  constructor(
    private readonly db: Kysely<any>,
    private readonly spec: TableSpec,
    private readonly inTransaction: InTransaction,
    /** Tells this process's watchers once the write is committed (the NOTIFY reaches the others). */
    private readonly committed: (table: string) => void,
  ) {}

  async insert(record: R): Promise<R> {
    // Answer what was stored, so insert, get and list agree (no `undefined` members, no extra fields).
    const row = await this.#write(() =>
      this.db
        .insertInto(this.spec.table)
        .values(this.#toRow(record))
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
    await this.#announce(this.db);
    this.#committed();
    return this.#fromRow(row);
  }

  async insertMany(records: R[]): Promise<void> {
    if (records.length === 0) return;
    // One JSON parameter however many records: the statement text stays the same for a table, and
    // neither Kysely nor pg encodes a parameter per field (the token path's audit batches use this).
    const rows = records.map((record) => this.#toJsonRow(record));
    const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
    const columnList = sql.join(columns.map((column) => sql.ref(column)));
    const table = sql.table(this.spec.table);
    await this.#write(() =>
      sql`insert into ${table} (${columnList}) select ${columnList} from jsonb_populate_recordset(null::${table}, ${JSON.stringify(rows)}::jsonb)`.execute(
        this.db,
      ),
    );
    await this.#announce(this.db);
    this.#committed();
  }

  async get(id: string): Promise<R> {
    const found = await this.find(id);
    if (!found) throw new NotFoundError(this.spec.table, id);
    return found;
  }

  async find(id: string): Promise<R | undefined> {
    return this.findOne({ id } as Filter<R>);
  }

  async findOne(filter: Filter<R>): Promise<R | undefined> {
    if (!this.#canMatch(filter)) return undefined;
    const row = await this.#where(this.db.selectFrom(this.spec.table).selectAll(), filter)
      .limit(1)
      .executeTakeFirst();
    return row ? this.#fromRow(row) : undefined;
  }

  async list(filter: Filter<R>, page: PageRequest = {}, created: CreatedRange = {}): Promise<Page<R>> {
    const size = Number.isInteger(page.pageSize)
      ? Math.min(Math.max(page.pageSize as number, 1), maxPageSize)
      : defaultPageSize;
    const after = page.token ? this.#decodePageToken(page.token) : undefined;
    if (!this.#canMatch(filter)) return { items: [] };
    let query = this.#where(this.db.selectFrom(this.spec.table).selectAll(), filter);
    if (created.from) query = query.where('created_at', '>=', created.from);
    if (created.before) query = query.where('created_at', '<', created.before);
    if (after) query = query.where(sql<boolean>`(created_at, id) > (${after[0]}, ${after[1]})`);
    const rows = await query
      .orderBy('created_at')
      .orderBy('id')
      .limit(size + 1)
      .execute();
    const items = rows.slice(0, size).map((row) => this.#fromRow(row));
    const last = items.at(-1) as (R & { createdAt: Date }) | undefined;
    return rows.length > size && last
      ? { items, nextToken: encodePageToken(last.createdAt, last.id) }
      : { items };
  }

  async update(id: string, change: (current: R) => R | Promise<R>): Promise<R> {
    if (!this.#canMatch({ id } as Filter<R>)) throw new NotFoundError(this.spec.table, id);
    const updated = await this.inTransaction(async (tx) => {
      const row = await tx
        .selectFrom(this.spec.table)
        .selectAll()
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
      if (!row) throw new NotFoundError(this.spec.table, id);
      const next = this.#toRow({ ...(await change(this.#fromRow(row))), id });
      // A field the change dropped (an optional one now absent) must be cleared, not left as it was.
      const values: Record<string, unknown> = {};
      for (const column of Object.keys(row)) if (column !== 'id') values[column] = next[column] ?? null;
      for (const [column, value] of Object.entries(next)) if (column !== 'id') values[column] = value;
      const updated = await this.#write(() =>
        tx
          .updateTable(this.spec.table)
          .set(values)
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirstOrThrow(),
      );
      await this.#announce(tx);
      return this.#fromRow(updated);
    });
    this.#committed();
    return updated;
  }

  async delete(id: string): Promise<void> {
    if (!this.#canMatch({ id } as Filter<R>)) throw new NotFoundError(this.spec.table, id);
    const result = await this.db.deleteFrom(this.spec.table).where('id', '=', id).executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) throw new NotFoundError(this.spec.table, id);
    await this.#announce(this.db);
    this.#committed();
  }

  async deleteWhere(filter: Filter<R>): Promise<number> {
    this.#refuseEmpty(filter, 'deleteWhere');
    if (!this.#canMatch(filter)) return 0;
    const result = await this.#where(this.db.deleteFrom(this.spec.table), filter).executeTakeFirst();
    const deleted = Number(result.numDeletedRows);
    if (deleted > 0) {
      await this.#announce(this.db);
      this.#committed();
    }
    return deleted;
  }

  async count(filter: Filter<R>): Promise<number> {
    if (!this.#canMatch(filter)) return 0;
    const row = await this.#where(
      this.db.selectFrom(this.spec.table).select(sql<number>`count(*)::int`.as('count')),
      filter,
    ).executeTakeFirstOrThrow();
    return row.count;
  }

  async select<K extends keyof R>(filter: Filter<R>, fields: readonly K[]): Promise<Pick<R, K | 'id'>[]> {
    if (!this.#canMatch(filter)) return [];
    const names = [...new Set(['id', ...fields.map(String)])];
    const columns = sql.join(names.map((field) => sql.ref(snake(field))));
    // Every row as a JSON array, all of them in one JSON text: PGlite hands over each field of each row
    // separately (half the time of a 44,000-row read), and one JSON.parse of arrays is cheaper than pg's
    // rows or than objects that repeat every field name (an organization-wide read takes 50,000 rows).
    const { rows } = await this.#where(
      this.db
        .selectFrom(this.spec.table)
        .select(
          sql<string>`coalesce(json_agg(json_build_array(${columns}) order by created_at, id), '[]')::text`.as(
            'rows',
          ),
        ),
      filter,
    ).executeTakeFirstOrThrow();
    // JSON spells a timestamptz as text; every time field's name ends in `At` (created_at, ...).
    const isTime = names.map((field) => field.endsWith('At'));
    return (JSON.parse(rows) as unknown[][]).map((row) => {
      const record: Record<string, unknown> = {};
      for (let i = 0; i < names.length; i++) {
        const value = row[i];
        if (value === null) continue;
        record[names[i]!] = isTime[i] ? new Date(value as string) : value;
      }
      return record as Pick<R, K | 'id'>;
    });
  }

  async updateMany(filter: Filter<R>, change: Partial<Omit<R, 'id'>>, limit: number): Promise<string[]> {
    if (!Number.isInteger(limit) || limit < 1 || limit > maxBatchSize) {
      throw new Error(`${this.spec.table}: updateMany limit must be an integer from 1 to ${maxBatchSize}`);
    }
    this.#refuseEmpty(filter, 'updateMany');
    const { id: _id, ...values } = this.#toRow(change as unknown as R);
    if (Object.keys(values).length === 0) throw new Error(`${this.spec.table}: updateMany changes no field`);
    if (!this.#canMatch(filter)) return [];
    const chosen = this.#where(this.db.selectFrom(this.spec.table).select('id'), filter)
      .limit(limit)
      .forUpdate();
    const rows = await this.#write(() =>
      this.db.updateTable(this.spec.table).set(values).where('id', 'in', chosen).returning('id').execute(),
    );
    if (rows.length > 0) {
      await this.#announce(this.db);
      this.#committed();
    }
    return rows.map((row) => row.id as string);
  }

  /** An empty filter (say, `{ organizationId: undefined }` from a caller's bug) would touch the whole table. */
  #refuseEmpty(filter: Filter<R>, operation: string): void {
    if (!Object.values(filter).some((value) => value !== undefined)) {
      throw new Error(`${this.spec.table}: ${operation} needs at least one filter field`);
    }
  }

  /**
   * False when a uuid field is compared with a value that is not a UUID, which no record can hold (for
   * a list: when none of its values is one), or with an empty list.
   */
  #canMatch(filter: Filter<R>): boolean {
    return Object.entries(filter).every(([field, value]) => {
      if (value === undefined || value === null) return true;
      if (Array.isArray(value)) return this.#listValues(field, value).length > 0;
      return !this.#isUuidField(field) || isUuid(value as string);
    });
  }

  #isUuidField(field: string): boolean {
    return (this.spec.uuid ?? []).includes(field);
  }

  /** A list filter's values that a record can hold. */
  #listValues(field: string, values: readonly string[]): string[] {
    return this.#isUuidField(field) ? values.filter(isUuid) : [...values];
  }

  #where<Q extends { where: (...args: any[]) => any }>(query: Q, filter: Filter<R>): Q {
    let q = query;
    for (const [field, value] of Object.entries(filter)) {
      if (value === undefined) continue;
      const column = sql.ref(snake(field));
      if (value === null) q = q.where(sql<boolean>`${column} is null`);
      else if (Array.isArray(value)) {
        // One array parameter however long the list (PostgreSQL allows at most 65,535 parameters). An
        // array, not a set-returning subquery: the planner knows its length and hashes a long one, where
        // for a subquery on a table without statistics it chose a nested loop (45 s for 1,000 IDs).
        const list = this.#listValues(field, value);
        q = this.#isUuidField(field)
          ? q.where(sql<boolean>`${column} = any(${list}::uuid[])`)
          : q.where(sql<boolean>`${column} = any(${list}::text[])`);
      } else if (this.spec.stringLists?.includes(field)) {
        q = q.where(sql<boolean>`${column} @> ${JSON.stringify([value])}::jsonb`);
      } else q = q.where(snake(field), '=', value);
    }
    return q;
  }

  #committed(): void {
    if (!this.spec.quiet) this.committed(this.spec.table);
  }

  /** Inside a transaction PostgreSQL delivers the notification at commit, so readers see the new state. */
  async #announce(db: Kysely<any>): Promise<void> {
    if (!this.spec.quiet) await sql`select pg_notify(${changeChannel}, ${this.spec.table})`.execute(db);
  }

  /** Maps constraint violations onto store errors, naming the fields but never their values. */
  async #write<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof DatabaseError) || (error.code !== '23505' && error.code !== '23503'))
        throw error;
      const fields = error.constraint.columns.map(camel);
      const named = fields.length > 0 ? fields.join(', ') : (error.constraint.name ?? 'a field');
      if (error.code === '23505') {
        throw new AlreadyExistsError(this.spec.table, `a record with this ${named}`, fields);
      }
      const target = error.constraint.referencedTable ?? 'existing';
      throw new MissingReferenceError(this.spec.table, `${named} names no ${target} record`, fields);
    }
  }

  #decodePageToken(token: string): [Date, string] {
    const position = decodePageToken(token, (this.spec.uuid ?? []).includes('id') ? isUuid : isPlainId);
    if (!position) throw new InvalidPageTokenError('page token is not one this server gave out');
    return position;
  }

  #toRow(record: R): Record<string, unknown> {
    const row: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(record)) {
      // jsonb values are sent as text: pg would send a JS array as a PostgreSQL array.
      row[snake(field)] =
        value === undefined ? null : this.spec.json.includes(field) ? JSON.stringify(value) : value;
    }
    return row;
  }

  /** A row as a JSON object: jsonb fields stay objects, Dates become ISO strings (timestamptz reads them). */
  #toJsonRow(record: R): Record<string, unknown> {
    const row: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(record)) {
      if (value !== undefined) row[snake(field)] = value;
    }
    return row;
  }

  #fromRow(row: Record<string, unknown>): R {
    const record: Record<string, unknown> = {};
    for (const column in row) {
      const value = row[column];
      if (value === null) continue;
      record[camel(column)] = value;
    }
    return record as R;
  }
}

/**
 * A page token: the base64url JSON `[createdAt, id]` of the page's last record. It only says where the
 * next page starts (what a caller may read is checked on every call), so it is not signed; instead a
 * token is taken only if it is exactly what encodePageToken gives for a time both PostgreSQL and
 * JavaScript hold and an ID of the table's shape (a made-up date or ID would fail the query: 500).
 */
export function encodePageToken(createdAt: Date, id: string): string {
  return Buffer.from(JSON.stringify([createdAt.toISOString(), id])).toString('base64url');
}

/** Beyond any token this server gives out (about 110 characters for a UUID); no need to decode more. */
const maxPageTokenLength = 2048;
const isoTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** IDs of tables whose ID is not a UUID (signing keys: a kid, any text the database holds). */
const isPlainId = (id: string): boolean => id.length > 0 && id.length <= 256 && !textProblem(id);

/** The position a token names, or undefined when it is not one encodePageToken gives out. */
export function decodePageToken(token: string, isId: (id: string) => boolean): [Date, string] | undefined {
  if (token.length > maxPageTokenLength || !/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  let position: unknown;
  try {
    position = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(position) || position.length !== 2) return undefined;
  const [createdAt, id] = position as unknown[];
  if (typeof createdAt !== 'string' || typeof id !== 'string' || !isoTime.test(createdAt)) return undefined;
  const date = new Date(createdAt);
  if (!(date >= earliestStoredTime && date <= latestStoredTime) || !isId(id)) return undefined;
  // The round trip refuses what the pattern lets through: 2026-02-31, other spellings of the same JSON.
  return encodePageToken(date, id) === token ? [date, id] : undefined;
}

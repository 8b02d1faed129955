import { type Kysely, sql } from 'kysely';
import { isUuid } from '../../core/ids.ts';
import {
  AlreadyExistsError,
  InvalidPageTokenError,
  MissingReferenceError,
  NotFoundError,
} from '../errors.ts';
import {
  type Collection,
  type CreatedRange,
  defaultPageSize,
  type Filter,
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
const camel = (column: string): string => column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

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
    // An empty filter (say, `{ organizationId: undefined }` from a caller's bug) would empty the table.
    if (!Object.values(filter).some((value) => value !== undefined)) {
      throw new Error(`${this.spec.table}: deleteWhere needs at least one filter field`);
    }
    if (!this.#canMatch(filter)) return 0;
    const result = await this.#where(this.db.deleteFrom(this.spec.table), filter).executeTakeFirst();
    const deleted = Number(result.numDeletedRows);
    if (deleted > 0) {
      await this.#announce(this.db);
      this.#committed();
    }
    return deleted;
  }

  /** False when a uuid field is compared with a value that is not a UUID, which no record can hold. */
  #canMatch(filter: Filter<R>): boolean {
    const uuidFields = this.spec.uuid ?? [];
    return Object.entries(filter).every(
      ([field, value]) => value === undefined || !uuidFields.includes(field) || isUuid(value as string),
    );
  }

  #where<Q extends { where: (...args: any[]) => any }>(query: Q, filter: Filter<R>): Q {
    let q = query;
    for (const [field, value] of Object.entries(filter)) {
      if (value === undefined) continue;
      q = this.spec.stringLists?.includes(field)
        ? q.where(sql<boolean>`${sql.ref(snake(field))} @> ${JSON.stringify([value])}::jsonb`)
        : q.where(snake(field), '=', value);
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
      const { code, detail, constraint } = error as { code?: string; detail?: string; constraint?: string };
      if (code !== '23505' && code !== '23503') throw error;
      const columns = /^Key \(([^)]*)\)=/.exec(detail ?? '')?.[1];
      const fields = columns ? columns.split(', ').map(camel) : [];
      const named = fields.length > 0 ? fields.join(', ') : (constraint ?? 'a field');
      if (code === '23505') {
        throw new AlreadyExistsError(this.spec.table, `a record with this ${named}`, fields);
      }
      const target = /table "([^"]+)"/.exec(detail ?? '')?.[1] ?? 'existing';
      throw new MissingReferenceError(this.spec.table, `${named} names no ${target} record`, fields);
    }
  }

  #decodePageToken(token: string): [Date, string] {
    const checkId = (this.spec.uuid ?? []).includes('id') ? isUuid : () => true;
    try {
      const [createdAt, id] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown[];
      const date = new Date(createdAt as string);
      if (typeof createdAt !== 'string' || Number.isNaN(date.getTime())) throw new Error('bad date');
      if (typeof id !== 'string' || !checkId(id)) throw new Error('bad id');
      return [date, id];
    } catch {
      throw new InvalidPageTokenError('page token is not one this server gave out');
    }
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
    for (const [column, value] of Object.entries(row)) {
      if (value === null) continue;
      record[camel(column)] = value;
    }
    return record as R;
  }
}

function encodePageToken(createdAt: Date, id: string): string {
  return Buffer.from(JSON.stringify([createdAt.toISOString(), id])).toString('base64url');
}

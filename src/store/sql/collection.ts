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
  /** Writes announce no change (nothing is cached from this table, e.g. the audit log). */
  quiet?: true;
}

/** The NOTIFY channel on which writes announce the table they changed, for other servers' caches. */
export const changeChannel = 'envid_changes';

const snake = (field: string): string => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const camel = (column: string): string => column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** Runs `work` in a transaction, or in the caller's when `db` already is one. */
export type InTransaction = <T>(work: (db: Kysely<any>) => Promise<T>) => Promise<T>;

export class SqlCollection<R extends { id: string }> implements Collection<R> {
  constructor(
    private readonly db: Kysely<any>,
    private readonly spec: TableSpec,
    private readonly inTransaction: InTransaction,
  ) {}

  async insert(record: R): Promise<R> {
    await this.#write(
      () => this.db.insertInto(this.spec.table).values(this.#toRow(record)).execute(),
      record.id,
    );
    await this.#announce(this.db);
    return record;
  }

  async insertMany(records: R[]): Promise<void> {
    if (records.length === 0) return;
    await this.#write(
      () =>
        this.db
          .insertInto(this.spec.table)
          .values(records.map((record) => this.#toRow(record)))
          .execute(),
      records.map((record) => record.id).join(', '),
    );
    await this.#announce(this.db);
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
    const row = await this.#where(this.db.selectFrom(this.spec.table).selectAll(), filter)
      .limit(1)
      .executeTakeFirst();
    return row ? this.#fromRow(row) : undefined;
  }

  async list(filter: Filter<R>, page: PageRequest = {}, created: CreatedRange = {}): Promise<Page<R>> {
    const size = Math.min(Math.max(page.pageSize ?? defaultPageSize, 1), maxPageSize);
    let query = this.#where(this.db.selectFrom(this.spec.table).selectAll(), filter);
    if (created.from) query = query.where('created_at', '>=', created.from);
    if (created.before) query = query.where('created_at', '<', created.before);
    if (page.token) {
      const [createdAt, id] = decodePageToken(page.token);
      query = query.where(sql<boolean>`(created_at, id) > (${createdAt}, ${id})`);
    }
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
    return this.inTransaction(async (tx) => {
      const row = await tx
        .selectFrom(this.spec.table)
        .selectAll()
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
      if (!row) throw new NotFoundError(this.spec.table, id);
      const next = await change(this.#fromRow(row));
      const { id: _id, ...values } = this.#toRow({ ...next, id });
      await this.#write(() => tx.updateTable(this.spec.table).set(values).where('id', '=', id).execute(), id);
      await this.#announce(tx);
      return { ...next, id };
    });
  }

  async delete(id: string): Promise<void> {
    const result = await this.db.deleteFrom(this.spec.table).where('id', '=', id).executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) throw new NotFoundError(this.spec.table, id);
    await this.#announce(this.db);
  }

  async deleteWhere(filter: Filter<R>): Promise<number> {
    const result = await this.#where(this.db.deleteFrom(this.spec.table), filter).executeTakeFirst();
    const deleted = Number(result.numDeletedRows);
    if (deleted > 0) await this.#announce(this.db);
    return deleted;
  }

  #where<Q extends { where: (...args: any[]) => any }>(query: Q, filter: Filter<R>): Q {
    let q = query;
    for (const [field, value] of Object.entries(filter)) {
      if (value === undefined) continue;
      q = q.where(snake(field), '=', value);
    }
    return q;
  }

  /** Inside a transaction PostgreSQL delivers the notification at commit, so readers see the new state. */
  async #announce(db: Kysely<any>): Promise<void> {
    if (!this.spec.quiet) await sql`select pg_notify(${changeChannel}, ${this.spec.table})`.execute(db);
  }

  async #write<T>(run: () => Promise<T>, id: string): Promise<T> {
    try {
      return await run();
    } catch (error) {
      const code = (error as { code?: string }).code;
      const detail = (error as { detail?: string }).detail ?? id;
      if (code === '23505') throw new AlreadyExistsError(this.spec.table, detail);
      if (code === '23503') throw new MissingReferenceError(this.spec.table, detail);
      throw error;
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

function decodePageToken(token: string): [Date, string] {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as [string, string];
    const date = new Date(createdAt);
    if (Number.isNaN(date.getTime()) || typeof id !== 'string' || !isUuid(id)) throw new Error('bad');
    return [date, id];
  } catch {
    throw new InvalidPageTokenError('page token is not one this server gave out');
  }
}

import { randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite } from '../../src/store/sql/drivers/pglite.ts';
import { openPostgres } from '../../src/store/sql/drivers/postgres.ts';
import { migrate } from '../../src/store/sql/migrate.ts';
import { type Migration, migrations } from '../../src/store/sql/migrations/index.ts';
import { createTestDatabase, type Engine, engines } from '../support/databases.ts';

/** An empty database, and a way to open another client on it (a second replica). */
interface Fresh {
  db: Kysely<any>;
  another(): Promise<Kysely<any>>;
}

/**
 * PGlite: one instance for the file (it costs seconds to open), each test in a schema of its own.
 * PostgreSQL: a database per test, every client with its own connection pool.
 */
function freshDatabases(engine: Engine): () => Promise<Fresh> {
  const cleanups: (() => Promise<void>)[] = [];
  let pglite: Kysely<any> | undefined;
  beforeAll(async () => {
    if (engine !== 'pglite') return;
    const opened = await openPglite(undefined);
    pglite = opened.db;
    cleanups.push(opened.close);
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  return async () => {
    if (engine === 'pglite') {
      const db = pglite!;
      const schema = `t_${randomBytes(6).toString('hex')}`;
      // PGlite has one session: the search path set here is the one every later query uses.
      await sql.raw(`create schema ${schema}; set search_path to ${schema}`).execute(db);
      return { db, another: async () => db };
    }
    const database = await createTestDatabase();
    const open = async () => {
      const opened = await openPostgres(database.url);
      cleanups.push(opened.close);
      return opened.db;
    };
    const db = await open();
    cleanups.push(database.drop);
    return { db, another: open };
  };
}

async function recorded(db: Kysely<any>): Promise<string[]> {
  const result = await sql<{ id: string }>`select id from schema_migrations order by id`.execute(db);
  return result.rows.map((row) => row.id);
}

async function tables(db: Kysely<any>): Promise<string[]> {
  const result = await sql<{ name: string }>`
    select table_name as name from information_schema.tables where table_schema = current_schema()
    order by table_name`.execute(db);
  return result.rows.map((row) => row.name);
}

const ids = (list: Migration[]) => list.map((m) => m.id);

for (const engine of engines) {
  describe(`migrate (${engine})`, () => {
    const fresh = freshDatabases(engine);

    it('applies every migration once and records each in schema_migrations', async () => {
      const { db } = await fresh();
      expect(await migrate(db)).toStrictEqual(ids(migrations));
      expect(await recorded(db)).toStrictEqual(ids(migrations).sort());
      expect(await tables(db)).toEqual(
        expect.arrayContaining(['organizations', 'users', 'memberships', 'credentials', 'schema_migrations']),
      );
    });

    it('applying again is a no-op; a migration added later is applied alone', async () => {
      const { db } = await fresh();
      await migrate(db);
      const before = await tables(db);
      expect(await migrate(db)).toStrictEqual([]);
      expect(await recorded(db)).toStrictEqual(ids(migrations).sort());
      expect(await tables(db)).toStrictEqual(before);
      const later: Migration = { id: '9999-later', up: 'create table later (id int primary key)' };
      expect(await migrate(db, [...migrations, later])).toStrictEqual(['9999-later']);
      expect(await recorded(db)).toContain('9999-later');
    });

    it('a failing migration leaves neither its tables nor its record, and stops the ones after it', async () => {
      const { db } = await fresh();
      const list: Migration[] = [
        { id: '0001-ok', up: 'create table ok (id int primary key)' },
        {
          id: '0002-broken',
          up: 'create table half (id int primary key); insert into half values (1); create table bad (x no_such_type)',
        },
        { id: '0003-after', up: 'create table after (id int primary key)' },
      ];
      await expect(migrate(db, list)).rejects.toThrow(/no_such_type/);
      expect(await recorded(db)).toStrictEqual(['0001-ok']);
      expect(await tables(db)).toStrictEqual(['ok', 'schema_migrations']);

      // Once fixed, the next start applies it and the ones after it.
      const fixed = list.map((m) =>
        m.id === '0002-broken' ? { ...m, up: 'create table half (id int)' } : m,
      );
      expect(await migrate(db, fixed)).toStrictEqual(['0002-broken', '0003-after']);
      expect(await tables(db)).toStrictEqual(['after', 'half', 'ok', 'schema_migrations']);
    });

    it('0003-invites: existing users count as verified; a new user must say whether it is', async () => {
      const { db } = await fresh();
      const invites = migrations.findIndex((m) => m.id === '0003-invites');
      await migrate(db, migrations.slice(0, invites));
      const id = '00000000-0000-4000-8000-000000000001';
      await sql`insert into users (id, email, name, created_at) values (${id}, 'ada@example.com', 'Ada', now())`.execute(
        db,
      );
      expect(await migrate(db, migrations.slice(0, invites + 1))).toStrictEqual(['0003-invites']);
      const row = await sql<{ v: boolean }>`select email_verified as v from users where id = ${id}`.execute(
        db,
      );
      expect(row.rows).toStrictEqual([{ v: true }]);
      await expect(
        sql`insert into users (id, email, name, created_at) values (${'00000000-0000-4000-8000-000000000002'}, 'b@example.com', 'B', now())`.execute(
          db,
        ),
      ).rejects.toThrow(/email_verified/);
    });

    it("0006-environment-creator-idp: existing environments record their user creator's SSO details", async () => {
      const { db } = await fresh();
      const index = migrations.findIndex((m) => m.id === '0006-environment-creator-idp');
      await migrate(db, migrations.slice(0, index));
      const [org, sso, plain, runner, bySso, byPlain, bySa] = [1, 2, 3, 4, 5, 6, 7].map(
        (n) => `00000000-0000-4000-8000-00000000000${n}`,
      );
      await sql`insert into organizations (id, name, oidc_config, created_at) values (${org}, 'o', '{}', now())`.execute(
        db,
      );
      await sql`insert into users (id, email, name, email_verified, idp, idp_claims, created_at) values
        (${sso}, 'ada@example.com', 'Ada', true, 'https://sso.example.com', '{"groups":["eng"]}', now()),
        (${plain}, 'bob@example.com', 'Bob', true, null, null, now())`.execute(db);
      await sql`insert into runners (id, organization_id, name, created_at) values (${runner}, ${org}, 'r', now())`.execute(
        db,
      );
      await sql`insert into environments (id, organization_id, runner_id, creator_id, creator_principal, initializers, status, created_at) values
        (${bySso}, ${org}, ${runner}, ${sso}, 'user', '[]', 'running', now()),
        (${byPlain}, ${org}, ${runner}, ${plain}, 'user', '[]', 'running', now()),
        (${bySa}, ${org}, ${runner}, ${sso}, 'service_account', '[]', 'running', now())`.execute(db);
      expect(await migrate(db, migrations.slice(0, index + 1))).toStrictEqual([
        '0006-environment-creator-idp',
      ]);
      const rows = await sql<{ id: string; idp: string | null; claims: unknown }>`
        select id, creator_idp as idp, creator_idp_claims as claims from environments order by id`.execute(
        db,
      );
      expect(rows.rows).toStrictEqual([
        { id: bySso, idp: 'https://sso.example.com', claims: { groups: ['eng'] } },
        { id: byPlain, idp: null, claims: null },
        { id: bySa, idp: null, claims: null },
      ]);
    });

    it('two replicas migrating at once apply each migration exactly once', async () => {
      // Several rounds on fresh databases: the race includes creating schema_migrations itself.
      for (let round = 0; round < 3; round++) {
        const { db, another } = await fresh();
        const second = await another();
        // Slow migrations that fail when applied twice (no "if not exists").
        const list: Migration[] = [
          ...migrations,
          ...[1, 2, 3].map((n) => ({
            id: `900${n}-slow`,
            up: `create table slow_${n} (id int primary key); select pg_sleep(0.02)`,
          })),
        ];
        const [a, b] = await Promise.all([migrate(db, list), migrate(second, list)]);
        expect([...a, ...b].sort()).toStrictEqual(ids(list).sort());
        expect(await recorded(db)).toStrictEqual(ids(list).sort());
      }
    });
  });
}

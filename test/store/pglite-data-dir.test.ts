import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  newCredential,
  newMembership,
  newOrganization,
  newUser,
} from '../../src/store/conformance/fixtures.ts';
import { DataDirLockedError } from '../../src/store/errors.ts';
import { openStore } from '../../src/store/open-store.ts';
import { lockDataDir, lockFileName } from '../../src/store/sql/data-dir-lock.ts';
import { migrations } from '../../src/store/sql/migrations/index.ts';
import type { SqlStore } from '../../src/store/sql/sql-store.ts';
import type { Store } from '../../src/store/store.ts';

const temporaryDirs: string[] = [];
const temporaryDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'envid-store-'));
  temporaryDirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of temporaryDirs) rmSync(dir, { recursive: true, force: true });
});

/** A process that stays alive until killed, standing in for another envid. */
async function liveProcess(): Promise<{ pid: number; kill(): Promise<void> }> {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
  await once(child, 'spawn');
  return {
    pid: child.pid!,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill();
        await once(child, 'exit');
      }
    },
  };
}

/** The pid of a process that has exited (and been reaped). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await once(child, 'exit');
  return child.pid!;
}

/** Opens the store on `dataDir` in a separate Node process; answers its report and exit code. */
async function openInAnotherProcess(dataDir: string): Promise<{ output: string; code: number | null }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, '../support/open-data-dir.ts'), dataDir],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { output, code };
}

/** Initialized once (that costs seconds), closed by the first suite, and reused by the crash test. */
const dataDir = temporaryDir();

describe('the embedded database in a data directory', () => {
  const lockFile = join(dataDir, lockFileName);
  let store: Store;
  const organization = newOrganization({ oidcConfig: { version: 'v3', extraSubFields: ['project_id'] } });
  const user = newUser({
    idp: 'https://sso.example.com',
    idpClaims: { preferred_username: 'ada', groups: ['a'] },
  });
  const membership = newMembership(organization.id, user.id, { role: 'admin' });
  const credential = newCredential({
    principalKind: 'user',
    principalId: user.id,
    organizationId: organization.id,
  });

  beforeAll(async () => {
    store = await openStore({ dataDir });
    await store.organizations.insert(organization);
    await store.users.insert(user);
    await store.memberships.insert(membership);
    await store.credentials.insert(credential);
  });
  afterAll(async () => {
    await store.close();
  });

  it('holds a lock file naming this process while open', () => {
    expect(readFileSync(lockFile, 'utf8').trim()).toBe(String(process.pid));
  });

  it('refuses a second open in this process, and the first keeps working', async () => {
    await expect(openStore({ dataDir })).rejects.toBeInstanceOf(DataDirLockedError);
    expect(await store.users.get(user.id)).toStrictEqual(user);
  });

  it('refuses another process, with a message saying why and what to do', async () => {
    const { output, code } = await openInAnotherProcess(dataDir);
    expect(code).toBe(1);
    expect(output).toContain('DataDirLockedError');
    expect(output).toContain(`pid ${process.pid}`);
    expect(output).toContain('--database-url');
    expect(readFileSync(lockFile, 'utf8').trim()).toBe(String(process.pid));
  });

  it('keeps everything across a close and a reopen, even over a stale lock', async () => {
    await store.close();
    expect(existsSync(lockFile)).toBe(false);
    // A crashed process leaves its lock behind; its pid is gone, so the next start takes over.
    writeFileSync(lockFile, `${await deadPid()}\n`);
    store = await openStore({ dataDir });
    expect(readFileSync(lockFile, 'utf8').trim()).toBe(String(process.pid));
    expect(await store.organizations.get(organization.id)).toStrictEqual(organization);
    expect(await store.users.get(user.id)).toStrictEqual(user);
    expect(await store.memberships.get(membership.id)).toStrictEqual(membership);
    expect(await store.credentials.get(credential.id)).toStrictEqual(credential);
    // Reopening applied no migration a second time.
    const applied = await sql<{ id: string }>`select id from schema_migrations`.execute(
      (store as SqlStore).db,
    );
    expect(applied.rows.map((row) => row.id).sort()).toStrictEqual(migrations.map((m) => m.id).sort());
  });
});

describe('a crash of the embedded database', () => {
  it('keeps every committed write after kill -9, and the next start takes over the lock', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, '../support/write-until-killed.ts'), dataDir],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const committed: string[] = [];
    let buffered = '';
    const enough = new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        committed.push(...lines);
        if (committed.length >= 50) resolve();
      });
      child.on('exit', (code) => reject(new Error(`the writer exited early (${code})`)));
    });
    await enough;
    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(readFileSync(join(dataDir, lockFileName), 'utf8').trim()).toBe(String(child.pid));

    const store = await openStore({ dataDir });
    try {
      const missing: string[] = [];
      for (const id of committed) if (!(await store.organizations.find(id))) missing.push(id);
      expect(missing).toStrictEqual([]);
    } finally {
      await store.close();
    }
  }, 60_000);
});

describe('the data directory lock', () => {
  it('refuses a directory whose lock names another live process, and leaves that lock alone', async () => {
    const dir = temporaryDir();
    const other = await liveProcess();
    try {
      writeFileSync(join(dir, lockFileName), `${other.pid}\n`);
      const error = await openStore({ dataDir: dir }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DataDirLockedError);
      expect((error as DataDirLockedError).pid).toBe(other.pid);
      expect((error as Error).message).toContain(join(dir, lockFileName));
      expect(readFileSync(join(dir, lockFileName), 'utf8')).toBe(`${other.pid}\n`);
    } finally {
      await other.kill();
    }
  });

  it('takes over a lock whose process is gone, or that is unreadable', async () => {
    for (const stale of [`${await deadPid()}\n`, '', 'garbage']) {
      const dir = temporaryDir();
      writeFileSync(join(dir, lockFileName), stale);
      const lock = lockDataDir(dir);
      expect(readFileSync(lock.file, 'utf8')).toBe(`${process.pid}\n`);
      lock.release();
      expect(existsSync(lock.file)).toBe(false);
    }
  });

  it('takes over a lock naming this pid that this process does not hold (a restarted container)', () => {
    const dir = temporaryDir();
    writeFileSync(join(dir, lockFileName), `${process.pid}\n`);
    const lock = lockDataDir(dir);
    expect(() => lockDataDir(dir)).toThrow(DataDirLockedError);
    lock.release();
    lockDataDir(dir).release();
  });

  it('release leaves a lock that another process took over meanwhile', async () => {
    const dir = temporaryDir();
    const lock = lockDataDir(dir);
    writeFileSync(lock.file, '12345\n');
    lock.release();
    expect(readFileSync(lock.file, 'utf8')).toBe('12345\n');
  });
});

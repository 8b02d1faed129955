import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSecret } from '../../src/core/credentials.ts';
import { createTestDatabase, type Engine } from './databases.ts';
import { copyPgliteTemplate } from './pglite-template.ts';
import { testRunEnv } from './test-run.ts';

export const envidBin = join(import.meta.dirname, '../../bin/envid.js');

export interface EnvidProcess {
  url: string;
  adminToken: string;
  dataDir: string;
  child: ChildProcess;
  output(): string;
  /** Sends `signal` and answers the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface StartOptions {
  databaseUrl?: string;
  dataDir?: string;
  adminToken?: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /**
   * On PGlite, without `dataDir`: an empty data directory, so that envid creates its database from
   * scratch (seconds), instead of a copy of the run's migrated, empty one (pglite-template.ts).
   */
  freshDatabase?: boolean;
}

/** Starts `envid serve` as a process on a free port and waits until it says it listens. */
export async function startEnvid(options: StartOptions = {}): Promise<EnvidProcess> {
  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'envid-e2e-'));
  if (ownDataDir && !options.databaseUrl && !options.freshDatabase) await copyPgliteTemplate(dataDir);
  const adminToken = options.adminToken ?? generateSecret('installation_admin');
  const args = [
    'serve',
    '--port',
    '0',
    '--data-dir',
    dataDir,
    '--log-level',
    'warn',
    ...(options.args ?? []),
  ];
  if (options.databaseUrl) args.push('--database-url', options.databaseUrl);
  const child = spawn(process.execPath, [envidBin, ...args], {
    env: { ...process.env, ...testRunEnv(), ENVID_BOOTSTRAP_TOKEN: adminToken, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { url, output, exited } = await untilListening(child).catch(async (error: Error) => {
    // A server that did not start leaves nothing behind: neither its process nor the directory made here.
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await gone;
    }
    if (ownDataDir) removeDir(dataDir);
    throw error;
  });
  return {
    url,
    adminToken,
    dataDir,
    child,
    output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Waits until a started `envid serve` (stdout and stderr piped) says it listens; answers its URL. */
export async function untilListening(child: ChildProcess) {
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /envid listening on (https?:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`envid exited with ${code} before listening:\n${output}`)));
    setTimeout(() => reject(new Error(`envid did not start in 90 s:\n${output}`)), 90_000).unref();
  });
  return { url, output: () => output, exited };
}

/**
 * `envid serve` on `engine` (a fresh database of its own on PostgreSQL). `cleanups` gets what removes its
 * data directory and drops that database; run them in reverse, after stopping the server.
 */
export async function startEnvidOn(
  engine: Engine,
  cleanups: (() => Promise<unknown> | unknown)[],
  args: string[] = [],
): Promise<{ server: EnvidProcess; databaseUrl?: string }> {
  const database = engine === 'postgres' ? await createTestDatabase() : undefined;
  if (database) cleanups.push(database.drop);
  const server = await startEnvid(database ? { databaseUrl: database.url, args } : { args });
  cleanups.push(() => removeDir(server.dataDir));
  return database ? { server, databaseUrl: database.url } : { server };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { generateSecret } from '../src/core/credentials.ts';
import { createTestDatabase } from '../test/support/databases.ts';
import { type BenchProcess, startProcess } from './child-process.ts';

const envidBin = join(import.meta.dirname, '../bin/envid.js');

export interface EnvidTarget {
  url: string;
  /** One `Bearer <environment access token>` per seeded environment. */
  authorizations: string[];
  /** The installation admin's token (`ENVID_BOOTSTRAP_TOKEN`). */
  adminToken: string;
  process: BenchProcess;
  /** The PostgreSQL backends connected to its database now (for their CPU time). */
  databasePids(): Promise<number[]>;
  /** After the process has stopped: drops its database and removes its data directory. */
  dropDatabase(): Promise<void>;
}

/**
 * One `envid serve` process on a fresh PostgreSQL database, seeded through its own API with an
 * organization, an admin user, a runner and `environments` running environments with access tokens.
 */
export async function startEnvidTarget(options: {
  adminUrl: string;
  environments: number;
  logLevel: string;
  workDir: string;
  /** Extra `node` flags for the server, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
  /** Extra `envid serve` flags (they come last, so they win over the defaults here). */
  serveArgs?: string[];
  /** Fills the fresh database before the server starts on it (e.g. a large installation's records). */
  prepareDatabase?: (databaseUrl: string) => Promise<void>;
  /** The server's log file name in `workDir`. */
  logName?: string;
}): Promise<EnvidTarget> {
  const database = await createTestDatabase(options.adminUrl, 'envid_bench');
  const dataDir = mkdtempSync(join(tmpdir(), 'envid-bench-'));
  const cleanUp = async () => {
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  const adminToken = generateSecret('installation_admin');
  let started: Awaited<ReturnType<typeof startProcess>>;
  try {
    await options.prepareDatabase?.(database.url);
    started = await startProcess({
      args: [
        ...(options.nodeArgs ?? []),
        envidBin,
        'serve',
        '--port',
        '0',
        '--data-dir',
        dataDir,
        '--database-url',
        database.url,
        // Each of the 32 environments asks for ~140 tokens/s, past the default of 100 in 10 s: the limit
        // is set so high that it never refuses, but stays on, so its cost is in the figures.
        '--token-rate-limit',
        '100000000/60s',
        ...(options.serveArgs ?? []),
      ],
      env: { ENVID_BOOTSTRAP_TOKEN: adminToken, ENVID_LOG_LEVEL: options.logLevel },
      logFile: join(options.workDir, options.logName ?? 'envid.log'),
      ready: /envid listening on (http:\/\/\S+)/,
    });
  } catch (error) {
    await cleanUp();
    throw error;
  }
  const url = started.match;
  try {
    const authorizations = await seedThroughApi(url, adminToken, options.environments);
    return {
      url,
      authorizations,
      adminToken,
      process: started.process,
      databasePids: () => backendPids(database.url),
      dropDatabase: cleanUp,
    };
  } catch (error) {
    await started.process.stop();
    await cleanUp();
    throw error;
  }
}

/**
 * Seeds a fresh server through its own API: an organization, an admin user, a runner and `environments`
 * running environments. Answers one `Bearer <environment access token>` per environment.
 */
export async function seedThroughApi(
  url: string,
  adminToken: string,
  environments: number,
): Promise<string[]> {
  const call = async (method: string, body: object, token: string): Promise<any> => {
    const response = await fetch(`${url}/api/gitpod.v1.${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    const answer = await response.json();
    if (!response.ok)
      throw new Error(`seeding: ${method} answered ${response.status} ${JSON.stringify(answer)}`);
    return answer;
  };
  const { organization } = await call(
    'OrganizationService/CreateOrganization',
    { name: 'Bench' },
    adminToken,
  );
  const { user } = await call(
    'UserService/CreateUser',
    { email: 'bench@example.com', name: 'Bench Admin' },
    adminToken,
  );
  await call(
    'OrganizationService/AddMember',
    { organizationId: organization.id, userId: user.id, role: 'ORGANIZATION_ROLE_ADMIN' },
    adminToken,
  );
  const { token: userToken } = await call(
    'UserService/CreatePersonalAccessToken',
    { organizationId: organization.id, userId: user.id, description: 'bench' },
    adminToken,
  );
  const { runner } = await call('RunnerService/CreateRunner', { name: 'bench-runner' }, userToken);
  const authorizations: string[] = [];
  for (let i = 0; i < environments; i++) {
    const { environment } = await call(
      'EnvironmentService/CreateEnvironment',
      {
        spec: {
          machine: { class: runner.runnerId },
          content: {
            initializer: { specs: [{ git: { remoteUri: `https://github.com/acme/app-${i}.git` } }] },
          },
        },
      },
      userToken,
    );
    const { accessToken } = await call(
      'EnvironmentService/CreateEnvironmentAccessToken',
      { environmentId: environment.id },
      userToken,
    );
    authorizations.push(`Bearer ${accessToken}`);
  }
  return authorizations;
}

/** The other sessions on the database at `url`: the server's pool and its LISTEN connection. */
async function backendPids(url: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(
      'select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
    );
    return rows.map((row) => row.pid);
  } finally {
    await client.end();
  }
}

// `npx tsx bench/not-found-timing.ts [--postgres ADMIN-URL] [--rounds N]`: how long a `Get` of another
// organization's record takes against one of an unknown ID (both answer not_found), in process through
// Fastify's inject(). A difference tells a caller which IDs exist elsewhere; envid looks records up by ID
// and organization in one query so that there is none (docs/decisions/0021-not-found-same-work.md).
// Prints medians; asserts nothing (tests check that both paths make the same store calls).
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { systemClock } from '../src/core/clock.ts';
import { generateSecret } from '../src/core/credentials.ts';
import { generateMasterKey } from '../src/core/keys/master-key.ts';
import { ensureBootstrapCredential } from '../src/server/bootstrap.ts';
import { buildServer } from '../src/server/build-server.ts';
import { issueCredential } from '../src/services/credentials/issue-credential.ts';
import { openStore } from '../src/store/open-store.ts';
import type { Store } from '../src/store/store.ts';
import { createTestDatabase } from '../test/support/databases.ts';

const { values: flags } = parseArgs({
  /** A PostgreSQL server to measure on (a fresh database is made there and dropped); PGlite without it. */
  options: { postgres: { type: 'string' }, rounds: { type: 'string', default: '3000' } },
});
const rounds = Number(flags.rounds);

async function seedOrganization(store: Store, name: string) {
  const now = systemClock.now();
  const organization = await store.organizations.insert({
    id: randomUUID(),
    name,
    oidcConfig: { version: 'v3', extraSubFields: [] },
    createdAt: now,
  });
  const organizationId = organization.id;
  const user = await store.users.insert({
    id: randomUUID(),
    email: `${name}-${randomUUID()}@example.com`,
    name,
    emailVerified: true,
    createdAt: now,
  });
  await store.memberships.insert({
    id: randomUUID(),
    organizationId,
    userId: user.id,
    role: 'admin',
    createdAt: now,
  });
  const { secret, credential } = await issueCredential(store, systemClock, {
    principalKind: 'user',
    principalId: user.id,
    organizationId,
    description: 'bench',
  });
  const runner = await store.runners.insert({ id: randomUUID(), organizationId, name: 'r', createdAt: now });
  const project = await store.projects.insert({
    id: randomUUID(),
    organizationId,
    name: 'p',
    initializers: [],
    createdAt: now,
  });
  const serviceAccount = await store.serviceAccounts.insert({
    id: randomUUID(),
    organizationId,
    name: 'sa',
    createdAt: now,
  });
  const environment = await store.environments.insert({
    id: randomUUID(),
    organizationId,
    runnerId: runner.id,
    projectId: project.id,
    creatorId: user.id,
    creatorPrincipal: 'user',
    initializers: [],
    status: 'running',
    createdAt: now,
  });
  return { organizationId, user, token: secret, credential, runner, project, serviceAccount, environment };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)]!;
};

async function main() {
  const database = flags.postgres ? await createTestDatabase(flags.postgres, 'envid_bench') : undefined;
  const store = await openStore(database ? { databaseUrl: database.url } : {});
  const adminToken = generateSecret('installation_admin');
  await ensureBootstrapCredential(store, systemClock, { token: adminToken });
  const app = buildServer({
    store,
    issuer: 'https://envid.bench.example',
    masterKey: generateMasterKey().key,
  });
  await app.ready();
  try {
    const a = await seedOrganization(store, 'a');
    const b = await seedOrganization(store, 'b');
    const call = async (method: string, body: unknown) => {
      const started = process.hrtime.bigint();
      const response = await app.inject({
        method: 'POST',
        url: `/api/gitpod.v1.${method}`,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${b.token}` },
        payload: JSON.stringify(body),
      });
      const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
      if (response.statusCode !== 404) throw new Error(`${method}: ${response.statusCode} ${response.body}`);
      return elapsed;
    };
    const cases: [string, string, (id: string) => unknown][] = [
      ['UserService/GetUser', a.user.id, (userId) => ({ userId })],
      ['EnvironmentService/GetEnvironment', a.environment.id, (environmentId) => ({ environmentId })],
      ['ProjectService/GetProject', a.project.id, (projectId) => ({ projectId })],
      ['RunnerService/GetRunner', a.runner.id, (runnerId) => ({ runnerId })],
      [
        'ServiceAccountService/GetServiceAccount',
        a.serviceAccount.id,
        (serviceAccountId) => ({ serviceAccountId }),
      ],
      [
        'UserService/GetPersonalAccessToken',
        a.credential.id,
        (personalAccessTokenId) => ({ personalAccessTokenId }),
      ],
      ['OrganizationService/GetOrganization', a.organizationId, (organizationId) => ({ organizationId })],
    ];
    console.log(`engine ${store.engine}, ${rounds} calls of each kind, alternating; median ms`);
    console.log('method                                      other org  unknown ID  difference');
    for (const [method, id, body] of cases) {
      for (let i = 0; i < 200; i++) {
        await call(method, body(id));
        await call(method, body(randomUUID()));
      }
      const other: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < rounds; i++) {
        // Alternate which goes first, so that drift and caches favour neither.
        if (i % 2 === 0) {
          other.push(await call(method, body(id)));
          unknown.push(await call(method, body(randomUUID())));
        } else {
          unknown.push(await call(method, body(randomUUID())));
          other.push(await call(method, body(id)));
        }
      }
      const [o, u] = [median(other), median(unknown)];
      console.log(
        `${method.padEnd(43)} ${o.toFixed(3).padStart(9)}  ${u.toFixed(3).padStart(10)}  ${(o - u).toFixed(3).padStart(10)}`,
      );
    }
  } finally {
    await app.close();
    await store.close();
    await database?.drop();
  }
}

await main();

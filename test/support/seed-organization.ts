import { generateSecret, hashSecret } from '../../src/core/credentials.ts';
import { newId } from '../../src/core/ids.ts';
import type {
  Credential,
  Environment,
  Membership,
  Project,
  Runner,
  ServiceAccount,
  User,
} from '../../src/store/records.ts';
import type { Store } from '../../src/store/store.ts';

/** How many of each record a seeded organization has. */
export interface OrganizationShape {
  /** Member users. */
  members: number;
  /** Users who created environments and then left the organization (their environments stay). */
  formerMembers: number;
  serviceAccounts: number;
  runners: number;
  /** Projects besides the big one. */
  projects: number;
  /** Environments spread over the other projects (a tenth in none), live unless `deletedEvery`. */
  environments: number;
  /** Environments of the one big project, each with an access token. */
  bigProjectEnvironments: number;
}

export interface SeededOrganization {
  organizationId: string;
  bigProjectId: string;
  /** Access tokens of the big project's environments: a few secrets of running ones (for checks), and how many. */
  bigProjectTokens: { secrets: string[]; count: number };
  /** Users, service accounts, runners and live environments: the principals that can get a token. */
  principals: number;
}

/** Records per insertMany statement: one JSON parameter of a few megabytes at most. */
const chunk = 5_000;

async function insertAll<R extends { id: string }>(
  collection: { insertMany(records: R[]): Promise<void> },
  records: R[],
): Promise<void> {
  for (let i = 0; i < records.length; i += chunk) await collection.insertMany(records.slice(i, i + chunk));
}

/**
 * An organization of many principals, written with set-based inserts (tens of thousands of records in
 * seconds), for scale tests and `npm run bench:scale`. Creation times are one millisecond apart from
 * `start`, so lists come back in creation order.
 */
export async function seedOrganization(
  store: Store,
  shape: OrganizationShape,
  start = new Date('2026-01-01T00:00:00Z'),
): Promise<SeededOrganization> {
  let tick = start.getTime();
  const createdAt = () => new Date(tick++);
  const organizationId = newId();
  await store.organizations.insert({
    id: organizationId,
    name: 'Scale',
    oidcConfig: { version: 'v3', extraSubFields: [] },
    createdAt: createdAt(),
  });
  const user = (i: number): User => ({
    id: newId(),
    email: `user-${i}@scale.example.com`,
    name: `User ${i}`,
    emailVerified: true,
    ...(i % 4 === 0
      ? { idp: 'https://sso.example.com', idpClaims: { groups: ['dev', `team-${i % 7}`] } }
      : {}),
    createdAt: createdAt(),
  });
  const members = Array.from({ length: shape.members }, (_, i) => user(i));
  const former = Array.from({ length: shape.formerMembers }, (_, i) => user(shape.members + i));
  await insertAll(store.users, [...members, ...former]);
  await insertAll(
    store.memberships,
    members.map(
      (member, i): Membership => ({
        id: newId(),
        organizationId,
        userId: member.id,
        role: i === 0 ? 'admin' : 'member',
        createdAt: createdAt(),
      }),
    ),
  );
  const serviceAccounts = Array.from(
    { length: shape.serviceAccounts },
    (_, i): ServiceAccount => ({ id: newId(), organizationId, name: `bot-${i}`, createdAt: createdAt() }),
  );
  await insertAll(store.serviceAccounts, serviceAccounts);
  const runners = Array.from(
    { length: Math.max(1, shape.runners) },
    (_, i): Runner => ({ id: newId(), organizationId, name: `runner-${i}`, createdAt: createdAt() }),
  );
  await insertAll(store.runners, runners);
  const project = (i: number): Project => ({
    id: newId(),
    organizationId,
    name: `project-${i}`,
    initializers: [{ git: { remoteUri: `https://github.com/scale/app-${i}.git` } }],
    createdAt: createdAt(),
  });
  const bigProject = project(0);
  const projects = Array.from({ length: shape.projects }, (_, i) => project(i + 1));
  await insertAll(store.projects, [bigProject, ...projects]);

  const creators = [...members, ...former];
  const environment = (i: number, projectId: string | undefined): Environment => {
    const bySa = serviceAccounts.length > 0 && i % 5 === 0;
    const creatorUser = bySa ? undefined : creators[i % creators.length];
    return {
      id: newId(),
      organizationId,
      ...(projectId ? { projectId } : {}),
      runnerId: runners[i % runners.length]!.id,
      creatorId: bySa
        ? serviceAccounts[i % serviceAccounts.length]!.id
        : creators.length > 0
          ? creators[i % creators.length]!.id
          : newId(),
      creatorPrincipal: bySa ? 'service_account' : 'user',
      // What environment-create records: the creator's SSO details at creation.
      ...(creatorUser?.idp ? { creatorIdp: creatorUser.idp, creatorIdpClaims: creatorUser.idpClaims } : {}),
      initializers: i % 3 === 0 ? [] : [{ contextUrl: `https://github.com/scale/app/tree/branch-${i}` }],
      status: i % 2 === 0 ? 'running' : 'stopped',
      createdAt: createdAt(),
    };
  };
  const others = Array.from({ length: shape.environments }, (_, i) =>
    environment(i, projects.length > 0 && i % 10 !== 0 ? projects[i % projects.length]!.id : undefined),
  );
  const big = Array.from({ length: shape.bigProjectEnvironments }, (_, i) => environment(i, bigProject.id));
  await insertAll(store.environments, [...others, ...big]);

  const secrets: string[] = [];
  const tokens = big.map((env, i): Credential => {
    const secret = generateSecret('environment');
    // Tokens of running environments (a stopped one's is refused until it runs again): the first and last few.
    if (env.status === 'running' && (i < 10 || i >= big.length - 2)) secrets.push(secret);
    return {
      id: newId(),
      principalKind: 'environment',
      principalId: env.id,
      organizationId,
      secretHash: hashSecret(secret),
      description: 'scale',
      createdAt: createdAt(),
    };
  });
  await insertAll(store.credentials, tokens);
  const principals = members.length + serviceAccounts.length + runners.length + others.length + big.length;
  return {
    organizationId,
    bigProjectId: bigProject.id,
    bigProjectTokens: { secrets, count: tokens.length },
    principals,
  };
}

import { AuthenticationError, Gitpod } from '@gitpod/sdk';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.ts';
import { buildServer } from '../../../src/server/build-server.ts';
import type { Store } from '../../../src/store/store.ts';
import { testServerOptions } from '../../support/api-server.ts';
import { engines, openTestStore } from '../../support/databases.ts';
import { createOrganizationFixture, type OrganizationFixture } from '../../support/org-fixtures.ts';

/** The official @gitpod/sdk client against a listening envid: its own calls must work and answer envid's fields. */
describe.each(engines)('@gitpod/sdk against envid on %s', (engine) => {
  let store: Store;
  let dispose: () => Promise<void>;
  let app: FastifyInstance;
  let baseURL: string;
  let org: OrganizationFixture;
  const client = (bearerToken: string) => new Gitpod({ bearerToken, baseURL, maxRetries: 0 });

  beforeAll(async () => {
    ({ store, dispose } = await openTestStore(engine));
    const clock = new ManualClock(new Date('2026-11-01T00:00:00Z'));
    org = await createOrganizationFixture(store, clock);
    app = buildServer({ store, clock, ...testServerOptions() });
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    baseURL = `${address}/api`;
  });
  afterAll(async () => {
    await app.close();
    await dispose();
  });

  it('creates a project, a runner and an environment whose token authenticates until it is stopped', async () => {
    const admin = client(org.admin.token);
    const initializer = {
      specs: [
        {
          git: {
            remoteUri: 'https://github.com/acme/app.git',
            upstreamRemoteUri: 'https://github.com/upstream/app.git',
          },
        },
      ],
    };
    const { project } = await admin.projects.create({ name: 'app', environmentClass: {}, initializer });
    expect(project).toMatchObject({ initializer, metadata: { organizationId: org.id, name: 'app' } });
    expect((await admin.projects.retrieve({ projectId: project!.id! })).project).toEqual(project);

    const { runner } = await admin.runners.create({ name: 'eu-1' });
    expect(runner.name).toBe('eu-1');
    const runnerId = runner.runnerId!;
    const { accessToken: runnerToken } = await admin.runners.createRunnerToken({ runnerId });
    expect((await client(runnerToken!).runners.retrieve({ runnerId })).runner.runnerId).toBe(runnerId);

    const member = client(org.member.token);
    const { environment } = await member.environments.createFromProject({
      projectId: project!.id!,
      spec: { machine: { class: runnerId } },
    });
    expect(environment.metadata).toMatchObject({
      organizationId: org.id,
      projectId: project!.id,
      runnerId,
      creator: { id: org.member.id, principal: 'PRINCIPAL_USER' },
    });
    expect(environment.spec?.content?.initializer).toEqual(initializer);
    expect(environment.status?.phase).toBe('ENVIRONMENT_PHASE_RUNNING');

    const { accessToken } = await member.environments.createEnvironmentToken({
      environmentId: environment.id,
    });
    const inside = client(accessToken);
    expect(await inside.identity.getAuthenticatedIdentity({})).toEqual({
      organizationId: org.id,
      subject: { id: environment.id, principal: 'PRINCIPAL_ENVIRONMENT' },
    });
    expect((await inside.environments.retrieve({ environmentId: environment.id })).environment.id).toBe(
      environment.id,
    );

    await member.environments.stop({ environmentId: environment.id });
    const stopped = await member.environments.retrieve({ environmentId: environment.id });
    expect(stopped.environment.status?.phase).toBe('ENVIRONMENT_PHASE_STOPPED');
    await expect(inside.identity.getAuthenticatedIdentity({})).rejects.toBeInstanceOf(AuthenticationError);

    await member.environments.start({ environmentId: environment.id });
    expect((await inside.identity.getAuthenticatedIdentity({})).subject?.id).toBe(environment.id);

    await member.environments.delete({ environmentId: environment.id });
    await expect(inside.identity.getAuthenticatedIdentity({})).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('pages through lists with the SDK’s own iterators', async () => {
    const admin = client(org.admin.token);
    const created: string[] = [];
    for (const name of ['a', 'b', 'c']) {
      created.push(
        (await admin.projects.create({ name, environmentClass: {}, initializer: {} })).project!.id!,
      );
    }
    const { runner } = await admin.runners.create({ name: 'pager' });
    for (let i = 0; i < 3; i++) {
      await admin.environments.create({ spec: { machine: { class: runner.runnerId! } } });
    }
    const projects: string[] = [];
    for await (const project of admin.projects.list({ pagination: { pageSize: 1 } }))
      projects.push(project.id!);
    expect(projects).toEqual(expect.arrayContaining(created));
    expect(new Set(projects).size).toBe(projects.length);
    const environments: string[] = [];
    for await (const environment of admin.environments.list({
      filter: { runnerIds: [runner.runnerId!] },
      pagination: { pageSize: 2 },
    })) {
      environments.push(environment.id);
    }
    expect(environments).toHaveLength(3);
    const runners: string[] = [];
    for await (const r of admin.runners.list({ pagination: { pageSize: 1 } })) runners.push(r.runnerId!);
    expect(runners).toContain(runner.runnerId);
    await admin.runners.delete({ runnerId: runner.runnerId!, force: true });
    await admin.projects.delete({ projectId: created[0]! });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiTestServer, startApiTestServer } from '../../support/api-server.ts';
import { engines } from '../../support/databases.ts';
import {
  createOrganizationFixture,
  createRunnerFixture,
  expectApiError,
  type OrganizationFixture,
  type Principal,
} from '../../support/org-fixtures.ts';

/**
 * Labels on projects and environments over HTTP: set on create, changed by Update (set and remove),
 * answered by Get and List, refused with the label named, audited, and confined to the organization.
 */
describe.each(engines)('labels on %s', (engine) => {
  let server: ApiTestServer;
  let org: OrganizationFixture;
  let other: OrganizationFixture;
  let runner: Principal;
  const call = (method: string, body: unknown, token?: string) => server.call(method, body, token);
  const createProject = async (labels?: Record<string, string>, token = org.admin.token) => {
    const response = await call(
      'ProjectService/CreateProject',
      { name: 'app', ...(labels ? { labels } : {}) },
      token,
    );
    expect(response.status).toBe(200);
    return response.body.project;
  };
  const createEnvironment = async (labels?: Record<string, string>, token = org.member.token) => {
    const response = await call(
      'EnvironmentService/CreateEnvironment',
      { spec: { machine: { class: runner.id } }, ...(labels ? { labels } : {}) },
      token,
    );
    expect(response.status).toBe(200);
    return response.body.environment;
  };
  const labelEvents = async (resourceId: string) =>
    (
      await server.store.auditEvents.list(
        { kind: 'labels.updated', organizationId: org.id },
        { pageSize: 100 },
      )
    ).items.filter((event) => event.details.resourceId === resourceId);

  beforeAll(async () => {
    server = await startApiTestServer(engine);
    org = await createOrganizationFixture(server.store, server.clock);
    other = await createOrganizationFixture(server.store, server.clock);
    runner = await createRunnerFixture(server.store, server.clock, org.id);
  });
  afterAll(() => server.close());

  it('a project created with labels answers them on Create, Get and List, sorted by key', async () => {
    const created = await createProject({ team: 'web', 'cost.center': '42%:x' });
    expect(created.metadata.labels).toEqual({ 'cost.center': '42%:x', team: 'web' });
    expect(Object.keys(created.metadata.labels)).toEqual(['cost.center', 'team']);
    const got = await call('ProjectService/GetProject', { projectId: created.id }, org.member.token);
    expect(got.body.project.metadata.labels).toEqual({ 'cost.center': '42%:x', team: 'web' });
    const listed = await call(
      'ProjectService/ListProjects',
      { filter: { projectIds: [created.id] } },
      org.member.token,
    );
    expect(listed.body.projects[0].metadata.labels).toEqual({ 'cost.center': '42%:x', team: 'web' });
    expect((await server.store.projects.get(created.id)).labels).toEqual({
      'cost.center': '42%:x',
      team: 'web',
    });
  });

  it('a project without labels answers no labels field and stores none', async () => {
    const created = await createProject();
    expect(created.metadata).not.toHaveProperty('labels');
    expect(await server.store.projects.get(created.id)).not.toHaveProperty('labels');
    const emptied = await createProject({});
    expect(emptied.metadata).not.toHaveProperty('labels');
  });

  it('UpdateProject sets and removes labels, keeps the others, and records before and after', async () => {
    const project = await createProject({ team: 'web', old: 'yes', keep: '1' });
    const response = await call(
      'ProjectService/UpdateProject',
      { projectId: project.id, labels: { team: 'api', new: '' }, removeLabels: ['old', 'never-there'] },
      org.admin.token,
    );
    expect(response.status).toBe(200);
    expect(response.body.project.metadata.labels).toEqual({ keep: '1', new: '', team: 'api' });
    expect((await server.store.projects.get(project.id)).labels).toEqual({ keep: '1', new: '', team: 'api' });
    const events = await labelEvents(project.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      kind: 'labels.updated',
      organizationId: org.id,
      actorKind: 'user',
      actorId: org.admin.id,
      details: {
        resource: 'project',
        resourceId: project.id,
        before: { keep: '1', old: 'yes', team: 'web' },
        after: { keep: '1', new: '', team: 'api' },
      },
    });
  });

  it('removing the last label leaves none; a change that changes nothing is not audited', async () => {
    const project = await createProject({ only: 'x' });
    const same = await call(
      'ProjectService/UpdateProject',
      { projectId: project.id, labels: { only: 'x' } },
      org.admin.token,
    );
    expect(same.status).toBe(200);
    expect(await labelEvents(project.id)).toHaveLength(0);
    const removed = await call(
      'ProjectService/UpdateProject',
      { projectId: project.id, removeLabels: ['only'] },
      org.admin.token,
    );
    expect(removed.body.project.metadata).not.toHaveProperty('labels');
    expect(await server.store.projects.get(project.id)).not.toHaveProperty('labels');
    expect((await labelEvents(project.id))[0]?.details).toMatchObject({ before: { only: 'x' }, after: {} });
  });

  describe('bad labels are refused naming the label and the rule, and change nothing', () => {
    const longKey = 'k'.repeat(64);
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['an upper-case key', { Team: 'x' }, /^labels\["Team"\]: the key must be 1-63 characters of a-z, 0-9/],
      ['an empty key', { '': 'x' }, /^labels\[""\]: the key must be/],
      ['a key ending in "-"', { 'team-': 'x' }, /^labels\["team-"\]: the key must be/],
      [
        'a key with a "/" prefix',
        { 'example.com/team': 'x' },
        /^labels\["example.com\/team"\]: the key must be/,
      ],
      [
        'a key of 64 characters',
        { [longKey]: 'x' },
        new RegExp(`^labels\\["${longKey}"\\]: the key must be 1-63`),
      ],
      [
        'a value of 257 characters',
        { team: 'v'.repeat(257) },
        /^labels\["team"\]: the value must be at most 256 characters/,
      ],
      [
        'a value with a newline',
        { team: 'a\nb' },
        /^labels\["team"\]: the value must not contain control characters/,
      ],
      ['a value that is no string', { team: 3 }, /^labels\.team: /],
    ];
    it.each(cases)('on create: %s', async (_what, labels, message) => {
      const before = (await server.store.projects.list({ organizationId: org.id }, { pageSize: 100 })).items
        .length;
      const response = await call('ProjectService/CreateProject', { name: 'bad', labels }, org.admin.token);
      expectApiError(response, 400, 'invalid_argument', message);
      expect(
        (await server.store.projects.list({ organizationId: org.id }, { pageSize: 100 })).items,
      ).toHaveLength(before);
    });

    it.each(cases)('on update: %s', async (_what, labels, message) => {
      const project = await createProject({ team: 'web' });
      const response = await call(
        'ProjectService/UpdateProject',
        { projectId: project.id, labels },
        org.admin.token,
      );
      expectApiError(response, 400, 'invalid_argument', message);
      expect((await server.store.projects.get(project.id)).labels).toEqual({ team: 'web' });
      expect(await labelEvents(project.id)).toHaveLength(0);
    });

    it('a value of 256 characters (counted as characters, not bytes) and a key of 63 are fine', async () => {
      const project = await createProject({ ['k'.repeat(63)]: 'é'.repeat(256) });
      expect(project.metadata.labels['k'.repeat(63)]).toBe('é'.repeat(256));
    });

    it('more than 64 labels, on create or as the result of an update', async () => {
      const labels = (n: number, from = 0) =>
        Object.fromEntries(Array.from({ length: n }, (_, i) => [`l${from + i}`, 'v']));
      expectApiError(
        await call('ProjectService/CreateProject', { name: 'many', labels: labels(65) }, org.admin.token),
        400,
        'invalid_argument',
        'labels: at most 64 labels per resource',
      );
      const project = await createProject(labels(64));
      const response = await call(
        'ProjectService/UpdateProject',
        { projectId: project.id, labels: labels(1, 64) },
        org.admin.token,
      );
      expectApiError(response, 400, 'invalid_argument', 'labels: at most 64 labels per resource');
      expect(Object.keys((await server.store.projects.get(project.id)).labels ?? {})).toHaveLength(64);
      // Replacing one while removing another keeps the count.
      const swapped = await call(
        'ProjectService/UpdateProject',
        { projectId: project.id, labels: labels(1, 64), removeLabels: ['l0'] },
        org.admin.token,
      );
      expect(swapped.status).toBe(200);
    });

    it('a key both set and removed', async () => {
      const project = await createProject({ team: 'web' });
      const response = await call(
        'ProjectService/UpdateProject',
        { projectId: project.id, labels: { team: 'x' }, removeLabels: ['team'] },
        org.admin.token,
      );
      expectApiError(response, 400, 'invalid_argument', 'removeLabels[0]: "team" is also set in labels');
      expect((await server.store.projects.get(project.id)).labels).toEqual({ team: 'web' });
    });
  });

  it('only admins of its organization change a project’s labels; another organization sees not_found', async () => {
    const project = await createProject({ team: 'web' });
    const change = (token: string) =>
      call('ProjectService/UpdateProject', { projectId: project.id, labels: { team: 'x' } }, token);
    expectApiError(await change(org.member.token), 403, 'permission_denied');
    expectApiError(await change(other.admin.token), 404, 'not_found', `project ${project.id} not found`);
    expectApiError(
      await call('ProjectService/GetProject', { projectId: project.id }, other.admin.token),
      404,
      'not_found',
    );
    expect((await change(server.adminToken)).status).toBe(200);
    expect((await server.store.projects.get(project.id)).labels).toEqual({ team: 'x' });
    const events = await labelEvents(project.id);
    expect(events.map((event) => event.actorKind)).toEqual(['installation_admin']);
  });

  it('an environment created with labels answers them; from a project it keeps its own, not the project’s', async () => {
    const environment = await createEnvironment({ tier: 'ci' });
    expect(environment.metadata.labels).toEqual({ tier: 'ci' });
    const got = await call(
      'EnvironmentService/GetEnvironment',
      { environmentId: environment.id },
      org.admin.token,
    );
    expect(got.body.environment.metadata.labels).toEqual({ tier: 'ci' });
    const project = await createProject({ team: 'web' });
    const fromProject = await call(
      'EnvironmentService/CreateEnvironmentFromProject',
      { projectId: project.id, spec: { machine: { class: runner.id } }, labels: { tier: 'dev' } },
      org.member.token,
    );
    expect(fromProject.body.environment.metadata.labels).toEqual({ tier: 'dev' });
    server.clock.advance(1000); // lists order by creation time
    const plain = await call(
      'EnvironmentService/CreateEnvironmentFromProject',
      { projectId: project.id, spec: { machine: { class: runner.id } } },
      org.member.token,
    );
    expect(plain.body.environment.metadata).not.toHaveProperty('labels');
    const listed = await call(
      'EnvironmentService/ListEnvironments',
      { filter: { projectIds: [project.id] } },
      org.admin.token,
    );
    expect(listed.body.environments.map((e: any) => e.metadata.labels)).toEqual([{ tier: 'dev' }, undefined]);
  });

  it('a bad label on CreateEnvironment is refused and creates nothing', async () => {
    const before = await server.store.environments.count({ organizationId: org.id });
    const response = await call(
      'EnvironmentService/CreateEnvironment',
      { spec: { machine: { class: runner.id } }, labels: { 'Bad Key': 'x' } },
      org.member.token,
    );
    expectApiError(response, 400, 'invalid_argument', /^labels\["Bad Key"\]: the key must be/);
    expect(await server.store.environments.count({ organizationId: org.id })).toBe(before);
  });

  it('UpdateEnvironment: its creator and admins change labels (audited), others may not', async () => {
    const environment = await createEnvironment({ tier: 'ci' }, org.serviceAccount.token);
    const change = (token: string, body: object) =>
      call('EnvironmentService/UpdateEnvironment', { environmentId: environment.id, ...body }, token);
    const byCreator = await change(org.serviceAccount.token, { labels: { owner: 'bot' } });
    expect(byCreator.status).toBe(200);
    expect(byCreator.body.environment.metadata.labels).toEqual({ owner: 'bot', tier: 'ci' });
    server.clock.advance(1000); // the audit log orders by time
    const byAdmin = await change(org.admin.token, { removeLabels: ['tier'] });
    expect(byAdmin.body.environment.metadata.labels).toEqual({ owner: 'bot' });
    expectApiError(await change(org.member.token, { labels: { x: 'y' } }), 403, 'permission_denied');
    expectApiError(await change(other.admin.token, { labels: { x: 'y' } }), 404, 'not_found');
    expectApiError(await change(runner.token, { labels: { x: 'y' } }), 403, 'permission_denied');
    expect((await server.store.environments.get(environment.id)).labels).toEqual({ owner: 'bot' });
    const events = await labelEvents(environment.id);
    expect(events.map((event) => [event.actorKind, event.details.before, event.details.after])).toEqual([
      ['service_account', { tier: 'ci' }, { owner: 'bot', tier: 'ci' }],
      ['user', { owner: 'bot', tier: 'ci' }, { owner: 'bot' }],
    ]);
    expect(events[0]?.details).toMatchObject({ resource: 'environment', resourceId: environment.id });
  });
});

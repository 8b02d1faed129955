import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../src/core/ids.ts';
import { type ApiTestServer, startApiTestServer } from '../../support/api-server.ts';
import { engines } from '../../support/databases.ts';
import {
  createOrganizationFixture,
  expectApiError,
  type OrganizationFixture,
} from '../../support/org-fixtures.ts';

const gitInitializer = {
  specs: [
    {
      git: {
        remoteUri: 'https://github.com/acme/app.git',
        upstreamRemoteUri: 'https://github.com/up/app.git',
      },
      contextUrl: { url: 'https://github.com/acme/app/tree/main' },
    },
  ],
};

/**
 * ProjectService over HTTP: input parsing and the mapping of records to API messages. Who may do what,
 * and DeleteProject's refusal and force, are test/services/projects.test.ts (and
 * delete-many-environments.test.ts at scale).
 */
describe.each(engines)('ProjectService on %s', (engine) => {
  let server: ApiTestServer;
  let org: OrganizationFixture;
  let other: OrganizationFixture;
  const call = (method: string, body: unknown, token?: string) =>
    server.call(`ProjectService/${method}`, body, token);
  const countProjects = async () => (await server.store.projects.list({}, { pageSize: 100 })).items.length;
  const create = async (token = org.admin.token, body: object = {}) => {
    const response = await call(
      'CreateProject',
      { name: 'app', initializer: gitInitializer, ...body },
      token,
    );
    expect(response.status).toBe(200);
    return response.body.project;
  };

  beforeAll(async () => {
    server = await startApiTestServer(engine);
    org = await createOrganizationFixture(server.store, server.clock);
    other = await createOrganizationFixture(server.store, server.clock);
  });
  afterAll(() => server.close());

  describe('success paths', () => {
    it('creates a project with a git initializer and answers it', async () => {
      const response = await call(
        'CreateProject',
        { name: ' app ', initializer: gitInitializer, environmentClass: {} },
        org.admin.token,
      );
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        project: {
          id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          environmentClass: {},
          initializer: gitInitializer,
          metadata: { organizationId: org.id, name: 'app', createdAt: '2026-11-01T00:00:00.000Z' },
        },
      });
      const stored = await server.store.projects.get(response.body.project.id);
      expect(stored.initializers).toEqual([
        {
          git: {
            remoteUri: 'https://github.com/acme/app.git',
            upstreamRemoteUri: 'https://github.com/up/app.git',
          },
          contextUrl: 'https://github.com/acme/app/tree/main',
        },
      ]);
    });

    it('lets a member get a project', async () => {
      const project = await create();
      const response = await call('GetProject', { projectId: project.id }, org.member.token);
      expect(response).toEqual({ status: 200, body: { project } });
    });

    it('lists the organization’s projects page by page (body token and SDK query token)', async () => {
      const mine = await server.store.projects.list({ organizationId: org.id }, { pageSize: 100 });
      await create(other.admin.token);
      const first = await call('ListProjects', { pagination: { pageSize: 1 } }, org.member.token);
      expect(first.status).toBe(200);
      expect(first.body.projects).toHaveLength(1);
      expect(first.body.projects[0].id).toBe(mine.items[0]!.id);
      const next = first.body.pagination.nextToken;
      expect(next).toEqual(expect.any(String));
      const second = await call(
        'ListProjects',
        { pagination: { pageSize: 1, token: next } },
        org.member.token,
      );
      expect(second.body.projects[0].id).toBe(mine.items[1]!.id);
      const viaQuery = await server.app.inject({
        method: 'POST',
        url: `/api/gitpod.v1.ProjectService/ListProjects?token=${encodeURIComponent(next)}&pageSize=1`,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${org.member.token}` },
        payload: '{}',
      });
      expect(viaQuery.json().projects[0].id).toBe(mine.items[1]!.id);
      const all = await call('ListProjects', { pagination: { pageSize: 100 } }, org.member.token);
      expect(all.body.projects.map((p: { id: string }) => p.id)).toEqual(mine.items.map((p) => p.id));
      expect(all.body.pagination).toEqual({});
    });

    it('lets the installation admin create in a named organization and list across organizations', async () => {
      const project = await create(server.adminToken, { organizationId: other.id });
      expect(project.metadata.organizationId).toBe(other.id);
      const listed = await call('ListProjects', { organizationId: other.id }, server.adminToken);
      expect(listed.body.projects.map((p: { id: string }) => p.id)).toContain(project.id);
      expect(
        listed.body.projects.every(
          (p: { metadata: { organizationId: string } }) => p.metadata.organizationId === other.id,
        ),
      ).toBe(true);
    });

    it('filters on one project ID', async () => {
      const project = await create();
      const listed = await call('ListProjects', { filter: { projectIds: [project.id] } }, org.admin.token);
      expect(listed.body.projects).toEqual([project]);
    });

    it('deletes a project', async () => {
      const project = await create();
      expect(await call('DeleteProject', { projectId: project.id }, org.admin.token)).toEqual({
        status: 200,
        body: {},
      });
      expectApiError(await call('GetProject', { projectId: project.id }, org.admin.token), 404, 'not_found');
    });
  });

  describe('bad input (nothing is written)', () => {
    const refused = async (body: unknown, field: string, problem: string) => {
      const before = await countProjects();
      const response = await call('CreateProject', body, org.admin.token);
      expectApiError(response, 400, 'invalid_argument', `${field}: ${problem}`);
      expect(await countProjects()).toBe(before);
    };

    it('names a missing or mistyped field', async () => {
      await refused({ initializer: gitInitializer }, 'name', 'is required');
      await refused({ name: 5 }, 'name', 'must be a string, got a number');
      await refused({ name: '  ' }, 'name', 'must not be empty');
      await refused({ name: 'a', initializer: { specs: {} } }, 'initializer.specs', 'must be an array');
    });

    it('checks the initializer’s shape', async () => {
      await refused(
        { name: 'a', initializer: { specs: [{}] } },
        'initializer.specs.0',
        'must have git or contextUrl',
      );
      await refused(
        { name: 'a', initializer: { specs: [{ git: { upstreamRemoteUri: 'x' } }] } },
        'initializer.specs.0.git.remoteUri',
        'is required',
      );
      await refused(
        { name: 'a', initializer: { specs: [{ git: { remoteUri: 'has space' } }] } },
        'initializer.specs.0.git.remoteUri',
        'must not contain whitespace',
      );
      await refused(
        { name: 'a', initializer: { specs: [{ contextUrl: { url: 'ftp://x' } }] } },
        'initializer.specs.0.contextUrl.url',
        'must be an http or https URL',
      );
      await refused(
        { name: 'a', initializer: { specs: Array(11).fill({ contextUrl: { url: 'https://x.example' } }) } },
        'initializer.specs',
        'must have at most 10 entries',
      );
    });

    it('refuses a malformed UUID and answers not_found for an unknown ID', async () => {
      expectApiError(
        await call('GetProject', { projectId: 'ABC' }, org.admin.token),
        400,
        'invalid_argument',
        'projectId: must be a UUID',
      );
      expectApiError(
        await call('GetProject', {}, org.admin.token),
        400,
        'invalid_argument',
        'projectId: is required',
      );
      const unknown = newId();
      expectApiError(
        await call('DeleteProject', { projectId: unknown }, org.admin.token),
        404,
        'not_found',
        `project ${unknown} not found`,
      );
      await refused({ name: 'a', organizationId: 'nope' }, 'organizationId', 'must be a UUID');
    });

    it('checks paging', async () => {
      expectApiError(
        await call('ListProjects', { pagination: { pageSize: 0 } }, org.admin.token),
        400,
        'invalid_argument',
        'pagination.pageSize: must be between 1 and 100',
      );
      expectApiError(
        await call('ListProjects', { pagination: { token: 'garbage' } }, org.admin.token),
        400,
        'invalid_argument',
        'pagination.token',
      );
      expectApiError(
        await call('ListProjects', { filter: { projectIds: [newId(), newId()] } }, org.admin.token),
        400,
        'invalid_argument',
        'filter.projectIds: envid filters on at most one project ID',
      );
    });
  });
});

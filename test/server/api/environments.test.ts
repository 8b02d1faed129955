import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../../src/core/credentials.ts';
import { newId } from '../../../src/core/ids.ts';
import { type ApiTestServer, startApiTestServer } from '../../support/api-server.ts';
import { engines } from '../../support/databases.ts';
import {
  createOrganizationFixture,
  createRunnerFixture,
  expectApiError,
  type OrganizationFixture,
  type Principal,
} from '../../support/org-fixtures.ts';

const git = (remoteUri: string) => ({ specs: [{ git: { remoteUri } }] });

/**
 * EnvironmentService over HTTP: input parsing, the mapping of records to API messages, and what a
 * lifecycle change does to the environment's tokens. Who may do what is test/services/environments.test.ts
 * (and credentials.test.ts for the access tokens).
 */
describe.each(engines)('EnvironmentService on %s', (engine) => {
  let server: ApiTestServer;
  let org: OrganizationFixture;
  let other: OrganizationFixture;
  let runner: Principal;
  let otherRunner: Principal;
  let projectId: string;
  const call = (method: string, body: unknown, token?: string) =>
    server.call(`EnvironmentService/${method}`, body, token);
  const whoAmI = (token: string) => server.call('IdentityService/GetAuthenticatedIdentity', {}, token);
  const countEnvironments = async () =>
    (await server.store.environments.list({}, { pageSize: 100 })).items.length;
  const create = async (token = org.member.token, spec: object = {}) => {
    const response = await call(
      'CreateEnvironment',
      { spec: { machine: { class: runner.id }, ...spec } },
      token,
    );
    expect(response.status).toBe(200);
    return response.body.environment as { id: string; metadata: any; spec: any; status: any };
  };
  const mintToken = async (environmentId: string, token = org.member.token) => {
    const response = await call('CreateEnvironmentAccessToken', { environmentId }, token);
    expect(response.status).toBe(200);
    return response.body.accessToken as string;
  };
  const phaseOf = async (id: string) =>
    (await call('GetEnvironment', { environmentId: id }, org.admin.token)).body.environment.status.phase;

  beforeAll(async () => {
    server = await startApiTestServer(engine);
    org = await createOrganizationFixture(server.store, server.clock);
    other = await createOrganizationFixture(server.store, server.clock);
    runner = await createRunnerFixture(server.store, server.clock, org.id);
    otherRunner = await createRunnerFixture(server.store, server.clock, other.id);
    const project = await server.call(
      'ProjectService/CreateProject',
      { name: 'app', initializer: { specs: [{ git: { remoteUri: 'https://github.com/acme/app.git' } }] } },
      org.admin.token,
    );
    projectId = project.body.project.id;
  });
  afterAll(() => server.close());

  describe('success paths', () => {
    it('creates an environment whose creator is the calling user', async () => {
      const response = await call(
        'CreateEnvironment',
        {
          spec: { machine: { class: runner.id }, content: { initializer: git('git@github.com:acme/x.git') } },
        },
        org.member.token,
      );
      expect(response).toEqual({
        status: 200,
        body: {
          environment: {
            id: expect.stringMatching(/^[0-9a-f-]{36}$/),
            metadata: {
              organizationId: org.id,
              creator: { id: org.member.id, principal: 'PRINCIPAL_USER' },
              runnerId: runner.id,
              createdAt: '2026-11-01T00:00:00.000Z',
            },
            spec: {
              desiredPhase: 'ENVIRONMENT_PHASE_RUNNING',
              machine: { class: runner.id },
              content: { initializer: git('git@github.com:acme/x.git') },
            },
            status: { phase: 'ENVIRONMENT_PHASE_RUNNING' },
          },
        },
      });
      const stored = await server.store.environments.get(response.body.environment.id);
      expect(stored).toMatchObject({
        creatorId: org.member.id,
        creatorPrincipal: 'user',
        initializers: [{ git: { remoteUri: 'git@github.com:acme/x.git' } }],
        status: 'running',
      });
    });

    it('records a service account as the creator', async () => {
      const environment = await create(org.serviceAccount.token);
      expect(environment.metadata.creator).toEqual({
        id: org.serviceAccount.id,
        principal: 'PRINCIPAL_SERVICE_ACCOUNT',
      });
    });

    it('creates a stopped environment when asked', async () => {
      const environment = await create(org.member.token, { desiredPhase: 'ENVIRONMENT_PHASE_STOPPED' });
      expect(environment.status.phase).toBe('ENVIRONMENT_PHASE_STOPPED');
    });

    it('copies the project’s initializers unless the request gives some', async () => {
      const copied = await call(
        'CreateEnvironmentFromProject',
        { projectId, spec: { machine: { class: runner.id } } },
        org.member.token,
      );
      expect(copied.status).toBe(200);
      expect(copied.body.environment.metadata.projectId).toBe(projectId);
      expect(copied.body.environment.spec.content.initializer).toEqual(
        git('https://github.com/acme/app.git'),
      );
      const given = await call(
        'CreateEnvironmentFromProject',
        {
          projectId,
          spec: {
            machine: { class: runner.id },
            content: { initializer: git('https://github.com/me/fork.git') },
          },
        },
        org.member.token,
      );
      expect(given.body.environment.spec.content.initializer).toEqual(git('https://github.com/me/fork.git'));
      expect((await server.store.environments.get(given.body.environment.id)).projectId).toBe(projectId);
    });

    it('gets and lists environments page by page, with filters', async () => {
      const environment = await create();
      expect(await call('GetEnvironment', { environmentId: environment.id }, org.member.token)).toEqual({
        status: 200,
        body: { environment },
      });
      await create(other.member.token, { machine: { class: otherRunner.id } });
      const mine = await server.store.environments.list({ organizationId: org.id }, { pageSize: 100 });
      const seen: string[] = [];
      let token: string | undefined;
      do {
        const page = await call('ListEnvironments', { pagination: { pageSize: 2, token } }, org.member.token);
        expect(page.status).toBe(200);
        seen.push(...page.body.environments.map((e: { id: string }) => e.id));
        token = page.body.pagination.nextToken;
      } while (token);
      expect(seen).toEqual(mine.items.map((e) => e.id));
      const ofProject = await call(
        'ListEnvironments',
        { filter: { projectIds: [projectId] } },
        org.member.token,
      );
      expect(ofProject.body.environments.length).toBeGreaterThan(0);
      for (const e of ofProject.body.environments) expect(e.metadata.projectId).toBe(projectId);
      const stopped = await call(
        'ListEnvironments',
        { filter: { statusPhases: ['ENVIRONMENT_PHASE_STOPPED'] } },
        org.member.token,
      );
      expect(stopped.body.environments.length).toBeGreaterThan(0);
      for (const e of stopped.body.environments) expect(e.status.phase).toBe('ENVIRONMENT_PHASE_STOPPED');
      const byCreatorOnRunner = await call(
        'ListEnvironments',
        { filter: { creatorIds: [org.member.id], runnerIds: [runner.id] } },
        org.admin.token,
      );
      expect(byCreatorOnRunner.body.environments.length).toBeGreaterThan(0);
      for (const e of byCreatorOnRunner.body.environments) {
        expect([e.metadata.creator.id, e.metadata.runnerId]).toEqual([org.member.id, runner.id]);
      }
      const theirs = await call(
        'ListEnvironments',
        { organizationId: other.id, pagination: { pageSize: 100 } },
        server.adminToken,
      );
      expect(theirs.body.environments.length).toBeGreaterThan(0);
      for (const e of theirs.body.environments) expect(e.metadata.organizationId).toBe(other.id);
    });

    it('mints a prefixed access token, stores only its hash, and it authenticates the environment', async () => {
      const environment = await create();
      const secret = await mintToken(environment.id);
      expect(secret).toMatch(/^envid_ent_[A-Za-z0-9_-]{43}$/);
      const stored = await server.store.credentials.findOne({ secretHash: hashSecret(secret) });
      expect(stored).toMatchObject({ principalKind: 'environment', principalId: environment.id });
      expect(JSON.stringify(stored)).not.toContain(secret);
      expect(await whoAmI(secret)).toEqual({
        status: 200,
        body: { organizationId: org.id, subject: { id: environment.id, principal: 'PRINCIPAL_ENVIRONMENT' } },
      });
    });

    it('refuses the token while stopped, accepts it again after Start, and never after Delete', async () => {
      const environment = await create();
      const secret = await mintToken(environment.id);
      expect((await whoAmI(secret)).status).toBe(200);
      expect(await call('StopEnvironment', { environmentId: environment.id }, org.member.token)).toEqual({
        status: 200,
        body: {},
      });
      expect(await phaseOf(environment.id)).toBe('ENVIRONMENT_PHASE_STOPPED');
      expectApiError(
        await whoAmI(secret),
        401,
        'unauthenticated',
        `environment ${environment.id} is stopped: its tokens work again once it is started ` +
          `(\`envid env start ${environment.id}\`, or by its runner)`,
      );
      expect(
        (await call('StartEnvironment', { environmentId: environment.id }, org.member.token)).status,
      ).toBe(200);
      expect(await phaseOf(environment.id)).toBe('ENVIRONMENT_PHASE_RUNNING');
      expect((await whoAmI(secret)).status).toBe(200);
      expect(
        (await call('DeleteEnvironment', { environmentId: environment.id }, org.member.token)).status,
      ).toBe(200);
      expect(await phaseOf(environment.id)).toBe('ENVIRONMENT_PHASE_DELETED');
      expectApiError(await whoAmI(secret), 401, 'unauthenticated');
      expectApiError(
        await call('StartEnvironment', { environmentId: environment.id }, org.member.token),
        400,
        'failed_precondition',
        'is deleted',
      );
      expectApiError(
        await call('CreateEnvironmentAccessToken', { environmentId: environment.id }, org.member.token),
        400,
        'failed_precondition',
        'is deleted',
      );
      expect(await phaseOf(environment.id)).toBe('ENVIRONMENT_PHASE_DELETED');
      expect(
        (await call('DeleteEnvironment', { environmentId: environment.id }, org.member.token)).status,
      ).toBe(200);
    });
  });

  describe('bad input (nothing is written)', () => {
    const refused = async (method: string, body: unknown, status: number, code: string, message: string) => {
      const before = await countEnvironments();
      expectApiError(await call(method, body, org.member.token), status, code, message);
      expect(await countEnvironments()).toBe(before);
    };

    it('names a missing or mistyped field', async () => {
      await refused('CreateEnvironment', {}, 400, 'invalid_argument', 'spec: is required');
      await refused('CreateEnvironment', { spec: {} }, 400, 'invalid_argument', 'spec.machine: is required');
      await refused(
        'CreateEnvironment',
        { spec: { machine: {} } },
        400,
        'invalid_argument',
        'spec.machine.class: is required',
      );
      await refused(
        'CreateEnvironment',
        { spec: { machine: { class: 7 } } },
        400,
        'invalid_argument',
        'spec.machine.class: must be a string, got a number',
      );
      await refused(
        'CreateEnvironmentFromProject',
        { spec: { machine: { class: runner.id } } },
        400,
        'invalid_argument',
        'projectId: is required',
      );
    });

    it('refuses malformed UUIDs', async () => {
      await refused(
        'CreateEnvironment',
        { spec: { machine: { class: 'g1' } } },
        400,
        'invalid_argument',
        'spec.machine.class: must be the ID of the runner that runs the environment',
      );
      await refused(
        'CreateEnvironmentFromProject',
        { projectId: 'p', spec: { machine: { class: runner.id } } },
        400,
        'invalid_argument',
        'projectId: must be a UUID',
      );
      for (const method of ['GetEnvironment', 'StopEnvironment', 'CreateEnvironmentAccessToken']) {
        await refused(
          method,
          { environmentId: '1234' },
          400,
          'invalid_argument',
          'environmentId: must be a UUID',
        );
      }
    });

    it('answers not_found for unknown IDs', async () => {
      const unknown = newId();
      await refused(
        'CreateEnvironment',
        { spec: { machine: { class: unknown } } },
        404,
        'not_found',
        `runner ${unknown} not found`,
      );
      await refused(
        'CreateEnvironmentFromProject',
        { projectId: unknown, spec: { machine: { class: runner.id } } },
        404,
        'not_found',
        `project ${unknown} not found`,
      );
      for (const method of ['GetEnvironment', 'StartEnvironment', 'DeleteEnvironment']) {
        await refused(
          method,
          { environmentId: unknown },
          404,
          'not_found',
          `environment ${unknown} not found`,
        );
      }
    });

    it('refuses a bad enum value, naming what is allowed', async () => {
      await refused(
        'CreateEnvironment',
        { spec: { machine: { class: runner.id }, desiredPhase: 'ENVIRONMENT_PHASE_DELETED' } },
        400,
        'invalid_argument',
        'spec.desiredPhase: must be ENVIRONMENT_PHASE_RUNNING (the default) or ENVIRONMENT_PHASE_STOPPED',
      );
      expectApiError(
        await call('ListEnvironments', { filter: { statusPhases: ['RUNNING'] } }, org.member.token),
        400,
        'invalid_argument',
        'filter.statusPhases.0: must be one of ENVIRONMENT_PHASE_RUNNING, ENVIRONMENT_PHASE_STOPPED, ENVIRONMENT_PHASE_DELETED',
      );
    });

    it('checks the initializer’s shape', async () => {
      await refused(
        'CreateEnvironment',
        { spec: { machine: { class: runner.id }, content: { initializer: { specs: [{ git: {} }] } } } },
        400,
        'invalid_argument',
        'spec.content.initializer.specs.0.git.remoteUri: is required',
      );
      await refused(
        'CreateEnvironmentFromProject',
        {
          projectId,
          spec: { machine: { class: runner.id }, content: { initializer: { specs: [{ contextUrl: {} }] } } },
        },
        400,
        'invalid_argument',
        'spec.content.initializer.specs.0.contextUrl.url: is required',
      );
    });
  });

  describe('access tokens', () => {
    it('lists and revokes one access token of an environment, leaving it and its other tokens alone', async () => {
      const environment = await create();
      const sibling = await create();
      const mint = async (token = org.member.token) => {
        const response = await call('CreateEnvironmentAccessToken', { environmentId: environment.id }, token);
        expect(response.status).toBe(200);
        return response.body as { accessToken: string; tokenId: string };
      };
      const leaked = await mint();
      const kept = await mint(runner.token);
      const siblingToken = await mintToken(sibling.id);

      const listed = await call(
        'ListEnvironmentAccessTokens',
        { environmentId: environment.id },
        runner.token,
      );
      expect(listed.status).toBe(200);
      expect(listed.body.tokens.map((t: { id: string }) => t.id).sort()).toEqual(
        [leaked.tokenId, kept.tokenId].sort(),
      );
      expect(JSON.stringify(listed.body)).not.toContain(leaked.accessToken);

      const revoked = await call(
        'RevokeEnvironmentAccessToken',
        { environmentId: environment.id, tokenId: leaked.tokenId },
        org.member.token,
      );
      expect(revoked.status).toBe(200);
      expect(revoked.body.token).toMatchObject({ id: leaked.tokenId, revokedAt: expect.any(String) });
      expectApiError(await whoAmI(leaked.accessToken), 401, 'unauthenticated');
      expect((await whoAmI(kept.accessToken)).status).toBe(200);
      expect((await whoAmI(siblingToken)).status).toBe(200);
      expect(await phaseOf(environment.id)).toBe('ENVIRONMENT_PHASE_RUNNING');

      // A token of another environment, or an unknown one, is not this environment's.
      const siblingTokens = await call(
        'ListEnvironmentAccessTokens',
        { environmentId: sibling.id },
        org.admin.token,
      );
      const siblingTokenId = siblingTokens.body.tokens[0].id as string;
      for (const tokenId of [siblingTokenId, '00000000-0000-4000-8000-000000000000']) {
        expectApiError(
          await call(
            'RevokeEnvironmentAccessToken',
            { environmentId: environment.id, tokenId },
            org.admin.token,
          ),
          404,
          'not_found',
        );
      }
      expect((await whoAmI(siblingToken)).status).toBe(200);
      // Who may not operate the environment may not list or revoke its tokens.
      const theirs = await create(org.admin.token);
      expectApiError(
        await call('ListEnvironmentAccessTokens', { environmentId: theirs.id }, org.member.token),
        403,
        'permission_denied',
      );
      expectApiError(
        await call('ListEnvironmentAccessTokens', { environmentId: environment.id }, kept.accessToken),
        403,
        'permission_denied',
      );
      expectApiError(
        await call('ListEnvironmentAccessTokens', { environmentId: environment.id }, other.admin.token),
        404,
        'not_found',
      );
    });
  });
});

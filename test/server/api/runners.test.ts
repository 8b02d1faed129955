import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../src/core/ids.ts';
import { type ApiTestServer, startApiTestServer } from '../../support/api-server.ts';
import { engines } from '../../support/databases.ts';
import {
  createOrganizationFixture,
  expectApiError,
  type OrganizationFixture,
} from '../../support/org-fixtures.ts';

// Who may do what: test/services/runners.test.ts (runners) and credentials.test.ts (their tokens); this
// file checks the requests and answers.
describe.each(engines)('RunnerService on %s', (engine) => {
  let server: ApiTestServer;
  let org: OrganizationFixture;
  let other: OrganizationFixture;
  const call = (method: string, body: unknown, token?: string) =>
    server.call(`RunnerService/${method}`, body, token);
  const whoAmI = (token: string) => server.call('IdentityService/GetAuthenticatedIdentity', {}, token);
  const countRunners = async () => (await server.store.runners.list({}, { pageSize: 100 })).items.length;
  const create = async (token = org.admin.token, body: object = {}) => {
    const response = await call('CreateRunner', { name: 'runner', ...body }, token);
    expect(response.status).toBe(200);
    return response.body.runner as { runnerId: string; name: string; organizationId: string };
  };
  const mintToken = async (runnerId: string) => {
    const response = await call('CreateRunnerToken', { runnerId }, org.admin.token);
    expect(response.status).toBe(200);
    return response.body as { accessToken: string; tokenId: string };
  };

  beforeAll(async () => {
    server = await startApiTestServer(engine);
    org = await createOrganizationFixture(server.store, server.clock);
    other = await createOrganizationFixture(server.store, server.clock);
  });
  afterAll(() => server.close());

  describe('success paths', () => {
    it('creates a runner', async () => {
      const response = await call(
        'CreateRunner',
        { name: 'eu-1', kind: 'RUNNER_KIND_REMOTE' },
        org.admin.token,
      );
      expect(response).toEqual({
        status: 200,
        body: {
          runner: {
            runnerId: expect.stringMatching(/^[0-9a-f-]{36}$/),
            name: 'eu-1',
            createdAt: '2026-11-01T00:00:00.000Z',
            organizationId: org.id,
          },
        },
      });
    });

    it('lets a member get and list runners, page by page', async () => {
      const runner = await create();
      expect(await call('GetRunner', { runnerId: runner.runnerId }, org.member.token)).toEqual({
        status: 200,
        body: { runner },
      });
      await create(other.admin.token);
      const mine = await server.store.runners.list({ organizationId: org.id }, { pageSize: 100 });
      const seen: string[] = [];
      let token: string | undefined;
      do {
        const page = await call('ListRunners', { pagination: { pageSize: 1, token } }, org.member.token);
        expect(page.status).toBe(200);
        seen.push(...page.body.runners.map((r: { runnerId: string }) => r.runnerId));
        token = page.body.pagination.nextToken;
      } while (token);
      expect(seen).toEqual(mine.items.map((r) => r.id));
    });

    it('mints a runner token once, lists it without its secret, and revokes it', async () => {
      const runner = await create();
      const { accessToken, tokenId } = await mintToken(runner.runnerId);
      expect(accessToken).toMatch(/^envid_rnt_/);
      expect(await whoAmI(accessToken)).toEqual({
        status: 200,
        body: { organizationId: org.id, subject: { id: runner.runnerId, principal: 'PRINCIPAL_RUNNER' } },
      });
      const listed = await call('ListRunnerTokens', { runnerId: runner.runnerId }, org.admin.token);
      expect(listed.body).toEqual({
        tokens: [{ id: tokenId, description: 'runner token', createdAt: '2026-11-01T00:00:00.000Z' }],
        pagination: {},
      });
      expect(JSON.stringify(listed.body)).not.toContain(accessToken);
      const revoked = await call(
        'RevokeRunnerToken',
        { runnerId: runner.runnerId, tokenId },
        org.admin.token,
      );
      expect(revoked.status).toBe(200);
      expect(revoked.body.token.revokedAt).toEqual(expect.any(String));
      expectApiError(await whoAmI(accessToken), 401, 'unauthenticated', 'revoked');
    });

    it('deletes a runner and refuses its tokens', async () => {
      const runner = await create();
      const { accessToken } = await mintToken(runner.runnerId);
      expect(await call('DeleteRunner', { runnerId: runner.runnerId }, org.admin.token)).toEqual({
        status: 200,
        body: {},
      });
      expectApiError(
        await call('GetRunner', { runnerId: runner.runnerId }, org.admin.token),
        404,
        'not_found',
      );
      expectApiError(await whoAmI(accessToken), 401, 'unauthenticated');
    });

    it('refuses to delete a runner with live environments unless forced', async () => {
      const runner = await create();
      const env = await server.call(
        'EnvironmentService/CreateEnvironment',
        { spec: { machine: { class: runner.runnerId } } },
        org.member.token,
      );
      expect(env.status).toBe(200);
      const environmentId = env.body.environment.id;
      const envToken = await server.call(
        'EnvironmentService/CreateEnvironmentAccessToken',
        { environmentId },
        org.member.token,
      );
      expectApiError(
        await call('DeleteRunner', { runnerId: runner.runnerId }, org.admin.token),
        400,
        'failed_precondition',
        'has 1 environment(s) that are not deleted',
      );
      expect((await whoAmI(envToken.body.accessToken)).status).toBe(200);
      expect(
        (await call('DeleteRunner', { runnerId: runner.runnerId, force: true }, org.admin.token)).status,
      ).toBe(200);
      expect(await server.store.environments.find(environmentId)).toBeUndefined();
      expectApiError(await whoAmI(envToken.body.accessToken), 401, 'unauthenticated');
    });
  });

  describe('bad input (nothing is written)', () => {
    it('names a missing or mistyped field', async () => {
      const before = await countRunners();
      expectApiError(
        await call('CreateRunner', {}, org.admin.token),
        400,
        'invalid_argument',
        'name: is required',
      );
      expectApiError(
        await call('CreateRunner', { name: ['a'] }, org.admin.token),
        400,
        'invalid_argument',
        'name: must be a string, got an array',
      );
      expectApiError(
        await call('CreateRunner', { name: 'x'.repeat(81) }, org.admin.token),
        400,
        'invalid_argument',
        'name: must be at most 80 characters',
      );
      expect(await countRunners()).toBe(before);
    });

    it('refuses malformed UUIDs and answers not_found for unknown IDs', async () => {
      expectApiError(
        await call('GetRunner', { runnerId: 'runner-1' }, org.admin.token),
        400,
        'invalid_argument',
        'runnerId: must be a UUID',
      );
      const unknown = newId();
      expectApiError(
        await call('CreateRunnerToken', { runnerId: unknown }, org.admin.token),
        404,
        'not_found',
        `runner ${unknown} not found`,
      );
      const runner = await create();
      expectApiError(
        await call('RevokeRunnerToken', { runnerId: runner.runnerId, tokenId: 'x' }, org.admin.token),
        400,
        'invalid_argument',
        'tokenId: must be a UUID',
      );
      expectApiError(
        await call('RevokeRunnerToken', { runnerId: runner.runnerId, tokenId: unknown }, org.admin.token),
        404,
        'not_found',
        `runner token ${unknown} not found`,
      );
    });

    it('refuses revoking another runner’s token through this runner', async () => {
      const runner = await create();
      const sibling = await create();
      const { accessToken, tokenId } = await mintToken(sibling.runnerId);
      expectApiError(
        await call('RevokeRunnerToken', { runnerId: runner.runnerId, tokenId }, org.admin.token),
        404,
        'not_found',
      );
      expect((await whoAmI(accessToken)).status).toBe(200);
    });
  });

  describe('not_found answers', () => {
    it('answers another organization’s runner exactly like an unknown one', async () => {
      const runner = await create();
      const unknown = newId();
      // Who else is refused, and how: test/services/runners.test.ts and credentials.test.ts.
      for (const token of [other.admin.token]) {
        for (const method of ['GetRunner', 'DeleteRunner', 'CreateRunnerToken', 'ListRunnerTokens']) {
          const theirs = await call(method, { runnerId: runner.runnerId }, token);
          const missing = await call(method, { runnerId: unknown }, token);
          expect(theirs.status).toBe(404);
          expect(theirs.body).toEqual({
            ...missing.body,
            message: missing.body.message.replace(unknown, runner.runnerId),
          });
        }
      }
      expect(await server.store.runners.find(runner.runnerId)).toBeDefined();
    });
  });
});

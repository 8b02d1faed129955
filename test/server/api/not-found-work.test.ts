import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../../src/core/errors.ts';
import type { CallContext } from '../../../src/server/connect/define-method.ts';
import { parseInput } from '../../../src/server/connect/validation.ts';
import type { Principal } from '../../../src/server/principal.ts';
import { apiMethods } from '../../../src/server/routes/api/index.ts';
import type { Project } from '../../../src/store/records.ts';
import type { ApiTestServer } from '../../support/api-server.ts';
import { engines } from '../../support/databases.ts';
import { type SeededOrganization, startSeededApiServer } from '../../support/principals.ts';
import { recordStoreCalls } from '../../support/recording-store.ts';

/**
 * A record of another organization must cost exactly what an unknown ID costs: the same store calls with
 * the same answers (so the same time), and the same error but for the ID. Time itself is not asserted
 * (bench/not-found-timing.ts measures it); equal work is what makes it equal.
 */
describe.each(engines)(
  'not_found for another organization’s record and for an unknown ID on %s',
  (engine) => {
    let server: ApiTestServer;
    let a: SeededOrganization;
    let b: SeededOrganization;
    let project: Project;
    let serviceAccountTokenId: string;
    beforeAll(async () => {
      ({ server, a, b } = await startSeededApiServer(engine));
      project = await server.store.projects.insert({
        id: randomUUID(),
        organizationId: a.organization.id,
        name: 'app',
        initializers: [],
        createdAt: server.clock.now(),
      });
      const token = await server.store.credentials.findOne({
        principalId: a.serviceAccount.serviceAccount.id,
      });
      serviceAccountTokenId = token!.id;
    });
    afterAll(() => server.close());

    /** b's admin and b's service account, as the server resolves them. */
    const callers = (): [string, Principal][] => [
      [
        'another organization’s admin',
        {
          kind: 'user',
          id: b.admin.user.id,
          organizationId: b.organization.id,
          role: 'admin',
          credentialId: b.admin.credential.id,
        },
      ],
      [
        'another organization’s service account',
        {
          kind: 'service_account',
          id: b.serviceAccount.serviceAccount.id,
          organizationId: b.organization.id,
          credentialId: randomUUID(),
        },
      ],
    ];

    /** What a call did: its store calls and its answer, with `id` written as <id>. */
    async function work(principal: Principal, method: string, body: unknown, id: string) {
      const definition = apiMethods.find((m) => `${m.service}/${m.method}` === method);
      if (!definition) throw new Error(`no method ${method}`);
      const { store, calls } = recordStoreCalls(server.store);
      const context = {
        store,
        clock: server.clock,
        principal,
        request: { query: {} } as FastifyRequest,
      } as unknown as CallContext;
      let answer: unknown;
      try {
        answer = await definition.handler(parseInput(definition.input, body), context);
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        answer = error.toJSON();
      }
      return JSON.parse(JSON.stringify({ calls, answer }).replaceAll(id, '<id>'));
    }

    /** Each method that takes an ID, with the body naming `id` (a record of organization a). */
    const cases = (): [string, (id: string) => unknown, () => string][] => [
      ['UserService/GetUser', (userId) => ({ userId }), () => a.member.user.id],
      [
        'UserService/GetPersonalAccessToken',
        (personalAccessTokenId) => ({ personalAccessTokenId }),
        () => a.member.credential.id,
      ],
      [
        'UserService/DeletePersonalAccessToken',
        (personalAccessTokenId) => ({ personalAccessTokenId }),
        () => a.member.credential.id,
      ],
      [
        'UserService/CreatePersonalAccessToken',
        (organizationId) => ({ organizationId, description: 'x' }),
        () => a.organization.id,
      ],
      [
        'UserService/ListPersonalAccessTokens',
        (userId) => ({ filter: { userIds: [userId] } }),
        () => a.member.user.id,
      ],
      [
        'OrganizationService/GetOrganization',
        (organizationId) => ({ organizationId }),
        () => a.organization.id,
      ],
      ['OrganizationService/ListMembers', (organizationId) => ({ organizationId }), () => a.organization.id],
      [
        'OrganizationService/GetOIDCConfig',
        (organizationId) => ({ organizationId }),
        () => a.organization.id,
      ],
      [
        'OrganizationService/UpdateOIDCConfig',
        (organizationId) => ({ organizationId, oidcConfig: { v2: {} }, confirmSubChange: true }),
        () => a.organization.id,
      ],
      [
        'OrganizationService/AddMember',
        (userId) => ({ organizationId: b.organization.id, userId }),
        () => a.member.user.id,
      ],
      [
        'OrganizationService/SetRole',
        (userId) => ({ organizationId: b.organization.id, userId, role: 'ORGANIZATION_ROLE_ADMIN' }),
        () => a.member.user.id,
      ],
      [
        'OrganizationService/RemoveMember',
        (userId) => ({ organizationId: b.organization.id, userId }),
        () => a.member.user.id,
      ],
      [
        'EnvironmentService/GetEnvironment',
        (environmentId) => ({ environmentId }),
        () => a.environment.environment.id,
      ],
      [
        'EnvironmentService/StopEnvironment',
        (environmentId) => ({ environmentId }),
        () => a.environment.environment.id,
      ],
      [
        'EnvironmentService/CreateEnvironment',
        (runnerId) => ({ spec: { machine: { class: runnerId } } }),
        () => a.runner.runner.id,
      ],
      [
        'EnvironmentService/CreateEnvironmentFromProject',
        (projectId) => ({ projectId, spec: { machine: { class: b.runner.runner.id } } }),
        () => project.id,
      ],
      ['ProjectService/GetProject', (projectId) => ({ projectId }), () => project.id],
      ['RunnerService/GetRunner', (runnerId) => ({ runnerId }), () => a.runner.runner.id],
      ['RunnerService/DeleteRunner', (runnerId) => ({ runnerId }), () => a.runner.runner.id],
      [
        'ServiceAccountService/GetServiceAccount',
        (serviceAccountId) => ({ serviceAccountId }),
        () => a.serviceAccount.serviceAccount.id,
      ],
      [
        'ServiceAccountService/ListServiceAccountTokens',
        (serviceAccountId) => ({ serviceAccountId }),
        () => a.serviceAccount.serviceAccount.id,
      ],
      [
        'ServiceAccountService/RevokeServiceAccountToken',
        (serviceAccountTokenId) => ({ serviceAccountTokenId }),
        () => serviceAccountTokenId,
      ],
    ];

    it.each(cases().map(([method]) => method))('%s', async (method) => {
      const [, body, target] = cases().find(([m]) => m === method)!;
      for (const [who, principal] of callers()) {
        const unknown = randomUUID();
        const other = await work(principal, method, body(target()), target());
        const missing = await work(principal, method, body(unknown), unknown);
        expect(other, who).toStrictEqual(missing);
        // Refused, or (a list) answered empty.
        const { answer } = other;
        if (answer.code === undefined) expect(Object.values(answer), who).toContainEqual([]);
        else expect(answer.code, who).toMatch(/^(not_found|permission_denied)$/);
      }
    });
  },
);

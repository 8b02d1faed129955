import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitSub } from '../../../src/core/tokens/sub-encoding.ts';
import { type ApiTestServer, startApiTestServer } from '../../support/api-server.ts';
import { engines } from '../../support/databases.ts';
import { claimsOf } from '../../support/jwt-parts.ts';
import {
  createOrganizationFixture,
  createRunnerFixture,
  expectApiError,
  type OrganizationFixture,
  type Principal,
} from '../../support/org-fixtures.ts';

/** Which addresses CreateUser takes (RFC 5322 dot-atoms before the @), and how one with `%` ends in `sub`. */
describe.each(engines)('user e-mail addresses on %s', (engine) => {
  let server: ApiTestServer;
  let org: OrganizationFixture;
  let runner: Principal;
  beforeAll(async () => {
    server = await startApiTestServer(engine);
    org = await createOrganizationFixture(server.store, server.clock);
    runner = await createRunnerFixture(server.store, server.clock, org.id);
  });
  afterAll(() => server.close());

  const createUser = (email: string) =>
    server.call('UserService/CreateUser', { email, name: 'Ada' }, server.adminToken);
  const countUsers = async () => (await server.store.users.list({}, { pageSize: 100 })).items.length;

  it.each([
    ['Ada%dev@acme.example', 'ada%dev@acme.example'],
    ["o'brien+ci@acme.example", "o'brien+ci@acme.example"],
    ["a!#$&'*+-/=?^_`{|}~z@acme.example", "a!#$&'*+-/=?^_`{|}~z@acme.example"],
    ['First.Last@mail.acme-corp.example', 'first.last@mail.acme-corp.example'],
    [`${'a'.repeat(64)}@acme.example`, `${'a'.repeat(64)}@acme.example`],
  ])('CreateUser takes %s (stored as %s)', async (email, stored) => {
    const response = await createUser(email);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.user.email).toBe(stored);
  });

  it.each([
    ['"ada"@acme.example', 'must be an e-mail address'],
    ['ada dev@acme.example', 'must be an e-mail address'],
    ['ada\u0007@acme.example', 'must be an e-mail address'],
    ['adä@acme.example', 'must be an e-mail address'],
    ['.ada@acme.example', 'must be an e-mail address'],
    ['ada.@acme.example', 'must be an e-mail address'],
    ['ada..dev@acme.example', 'must be an e-mail address'],
    ['ada(x)@acme.example', 'must be an e-mail address'],
    ['ada@acme', 'must be an e-mail address'],
    ['ada@-acme.example', 'must be an e-mail address'],
    ['ada@acme..example', 'must be an e-mail address'],
    ['ada@b@acme.example', 'must be an e-mail address'],
    [`${'a'.repeat(65)}@acme.example`, 'must have at most 64 characters before the @'],
    [
      `${'a'.repeat(60)}@${'b'.repeat(62)}.${'c'.repeat(62)}.${'d'.repeat(62)}.example`,
      'must be at most 254 characters',
    ],
  ])(
    'CreateUser refuses %j, names the field and what it allows, and writes nothing',
    async (email, problem) => {
      const before = await countUsers();
      const response = await createUser(email);
      expectApiError(response, 400, 'invalid_argument', `email: ${problem}`);
      if (problem === 'must be an e-mail address') {
        expect(response.body.message).toContain(
          "before the @, letters, digits and ! # $ % & ' * + - / = ? ^ _ ` { | } ~, with single dots between them",
        );
      }
      expect(await countUsers()).toBe(before);
    },
  );

  it('puts creator_email with % into the sub as %25, reversibly', async () => {
    const created = await createUser('Grace%ops@acme.example');
    expect(created.status).toBe(200);
    const userId = created.body.user.id as string;
    const added = await server.call(
      'OrganizationService/AddMember',
      { organizationId: org.id, userId, role: 'ORGANIZATION_ROLE_MEMBER' },
      server.adminToken,
    );
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    const pat = await server.call(
      'UserService/CreatePersonalAccessToken',
      { organizationId: org.id, userId, description: 'test' },
      server.adminToken,
    );
    expect(pat.status, JSON.stringify(pat.body)).toBe(200);
    const configured = await server.call(
      'OrganizationService/UpdateOIDCConfig',
      {
        organizationId: org.id,
        oidcConfig: { v3: { extraSubFields: ['creator_email'] } },
        confirmSubChange: true,
      },
      org.admin.token,
    );
    expect(configured.status, JSON.stringify(configured.body)).toBe(200);
    const environment = await server.call(
      'EnvironmentService/CreateEnvironment',
      { spec: { machine: { class: runner.id } } },
      pat.body.token,
    );
    expect(environment.status, JSON.stringify(environment.body)).toBe(200);
    const access = await server.call(
      'EnvironmentService/CreateEnvironmentAccessToken',
      { environmentId: environment.body.environment.id },
      pat.body.token,
    );
    const issued = await server.call(
      'IdentityService/GetIDToken',
      { audience: ['sts.amazonaws.com'] },
      access.body.accessToken,
    );
    expect(issued.status, JSON.stringify(issued.body)).toBe(200);
    const claims = claimsOf(issued.body.token);
    expect(claims.creator_email).toBe('grace%ops@acme.example');
    expect(claims.sub).toMatch(/:creator_email:grace%25ops@acme\.example$/);
    // Split at every `:` and decoded, the sub gives the address back as it was.
    expect(splitSub(String(claims.sub)).at(-1)).toEqual(['creator_email', 'grace%ops@acme.example']);
  });
});

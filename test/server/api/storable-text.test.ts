import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from '../../support/api-expect.ts';
import type { ApiTestServer } from '../../support/api-server.ts';
import { engines } from '../../support/databases.ts';
import { type SeededOrganization, startSeededApiServer } from '../../support/principals.ts';

/**
 * PostgreSQL can store neither a NUL character nor an unpaired UTF-16 surrogate; JSON carries both. Every
 * method refuses them, in any string or field name of the body and in the query, as invalid_argument
 * naming the field, before anything is written (they used to fail the write: 500).
 */
const badTexts = [
  { what: 'a NUL character', text: 'Acme\u0000Corp', problem: 'must not contain a NUL character (U+0000)' },
  {
    what: 'an unpaired surrogate',
    text: 'Acme\ud800',
    problem: 'must not contain an unpaired UTF-16 surrogate (U+D800), which is not valid Unicode',
  },
  {
    what: 'an unpaired low surrogate',
    text: '\udc00Acme',
    problem: 'must not contain an unpaired UTF-16 surrogate (U+DC00), which is not valid Unicode',
  },
];

describe.each(engines)('text the database cannot store, on %s', (engine) => {
  let server: ApiTestServer;
  let a: SeededOrganization;
  beforeAll(async () => {
    ({ server, a } = await startSeededApiServer(engine));
  });
  afterAll(() => server.close());

  /** Every record the cases could have written (the audit log included). */
  const countRecords = async () => {
    const { store } = server;
    const lists = [
      store.organizations,
      store.users,
      store.memberships,
      store.serviceAccounts,
      store.runners,
      store.projects,
      store.environments,
      store.credentials,
      store.auditEvents,
    ] as const;
    let total = 0;
    for (const collection of lists) total += (await collection.list({}, { pageSize: 100 })).items.length;
    return total;
  };

  const git = (remoteUri: string) => ({ specs: [{ git: { remoteUri } }] });
  /** Each field named in issue 11, with the method that stores it and who may call it. */
  const cases: {
    field: string;
    method: string;
    token: () => string;
    body: (text: string) => unknown;
  }[] = [
    {
      field: 'name',
      method: 'OrganizationService/CreateOrganization',
      token: () => server.adminToken,
      body: (name) => ({ name }),
    },
    {
      field: 'name',
      method: 'UserService/CreateUser',
      token: () => server.adminToken,
      body: (name) => ({ email: 'grace@example.com', name }),
    },
    {
      field: 'name',
      method: 'ServiceAccountService/CreateServiceAccount',
      token: () => a.admin.token,
      body: (name) => ({ name }),
    },
    {
      field: 'name',
      method: 'RunnerService/CreateRunner',
      token: () => a.admin.token,
      body: (name) => ({ name }),
    },
    {
      field: 'name',
      method: 'ProjectService/CreateProject',
      token: () => a.admin.token,
      body: (name) => ({ name }),
    },
    {
      field: 'description',
      method: 'UserService/CreatePersonalAccessToken',
      token: () => a.admin.token,
      body: (description) => ({ organizationId: a.organization.id, description }),
    },
    {
      field: 'description',
      method: 'ServiceAccountService/CreateServiceAccountToken',
      token: () => a.admin.token,
      body: (description) => ({ serviceAccountId: a.serviceAccount.serviceAccount.id, description }),
    },
    {
      field: 'description',
      method: 'RunnerService/CreateRunnerToken',
      token: () => a.admin.token,
      body: (description) => ({ runnerId: a.runner.runner.id, description }),
    },
    {
      field: 'initializer.specs.0.git.remoteUri',
      method: 'ProjectService/CreateProject',
      token: () => a.admin.token,
      body: (text) => ({ name: 'app', initializer: git(`https://github.com/acme/${text}.git`) }),
    },
    {
      field: 'spec.content.initializer.specs.1.git.remoteUri',
      method: 'EnvironmentService/CreateEnvironment',
      token: () => a.admin.token,
      body: (text) => ({
        spec: {
          machine: { class: a.runner.runner.id },
          content: {
            initializer: {
              specs: [
                { git: { remoteUri: 'https://github.com/acme/app.git' } },
                { git: { remoteUri: text } },
              ],
            },
          },
        },
      }),
    },
    {
      field: 'audience.0',
      method: 'IdentityService/GetIDToken',
      token: () => a.member.token,
      body: (text) => ({ audience: [`https://${text}.example`] }),
    },
    {
      field: 'audience.1',
      method: 'IdentityService/GetIDToken',
      token: () => a.environment.token,
      body: (text) => ({ audience: ['sts.amazonaws.com', text] }),
    },
  ];

  describe.each(badTexts)('$what', ({ text, problem }) => {
    it.each(cases)('$method refuses it in $field, naming the field, and writes nothing', async (c) => {
      const before = await countRecords();
      const response = await server.call(c.method, c.body(text), c.token());
      expect(response.status).toBe(400);
      expectError(response, 'invalid_argument');
      expect(response.body.message).toBe(`${c.field}: ${problem}`);
      expect(await countRecords()).toBe(before);
    });

    it('is refused in a field name, at the top level and nested, even where the schema drops the field', async () => {
      const top = await server.call(
        'OrganizationService/CreateOrganization',
        JSON.stringify({ name: 'Acme', [text]: 1 }),
        server.adminToken,
      );
      expectError(top, 'invalid_argument');
      expect(top.body.message).toBe(`body: field names ${problem}`);
      const nested = await server.call(
        'ProjectService/CreateProject',
        {
          name: 'app',
          initializer: { specs: [{ git: { remoteUri: 'https://x.example/a.git', [text]: 'x' } }] },
        },
        a.admin.token,
      );
      expectError(nested, 'invalid_argument');
      expect(nested.body.message).toBe(`initializer.specs.0.git: field names ${problem}`);
    });
  });

  it.each(['token', 'pageSize'])('a NUL in the query parameter %s is refused, naming it', async (name) => {
    for (const method of [
      'OrganizationService/ListOrganizations',
      'ProjectService/ListProjects',
      'AuditService/ListAuditEvents',
    ]) {
      const response = await server.app.inject({
        method: 'POST',
        url: `/api/gitpod.v1.${method}?${name}=a%00b`,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${server.adminToken}` },
        payload: method.startsWith('Audit') ? { organizationId: a.organization.id } : {},
      });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({
        code: 'invalid_argument',
        message: `${name}: must not contain a NUL character (U+0000)`,
      });
    }
  });

  it('takes text with paired surrogates (emoji) and other Unicode as it is', async () => {
    const name = 'Acme 🚀 Ünïcödé 中文';
    const response = await server.call('OrganizationService/CreateOrganization', { name }, server.adminToken);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.organization.name).toBe(name);
  });

  it('checks a deeply nested body without overflowing the stack', async () => {
    const deep = `${'['.repeat(200_000)}"\\u0000"${']'.repeat(200_000)}`;
    const response = await server.call(
      'OrganizationService/CreateOrganization',
      `{"name":"Acme","extra":${deep}}`,
      server.adminToken,
    );
    expectError(response, 'invalid_argument', 'must not contain a NUL character');
    expect(response.body.message).toMatch(/^extra(\.0){97}\.…: must not contain a NUL character/);
  });
});

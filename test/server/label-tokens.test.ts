import { createLocalJWKSet, type JWTPayload, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitSub } from '../../src/core/tokens/sub-encoding.ts';
import { type ApiTestServer, startApiTestServer, testIssuer } from '../support/api-server.ts';
import { engines } from '../support/databases.ts';
import {
  createOrganizationFixture,
  createRunnerFixture,
  type OrganizationFixture,
  type Principal,
} from '../support/org-fixtures.ts';

/**
 * Labels end to end through the API: set on a project and an environment, they reach the environment's
 * ID tokens as `sub` fields (percent-encoded) whatever the configuration, as claims only when it asks,
 * and a label change reaches the next token. The preview agrees with the tokens.
 */
describe.each(engines)('labels in ID tokens on %s', (engine) => {
  let server: ApiTestServer;
  let org: OrganizationFixture;
  let runner: Principal;
  let projectId: string;
  let environmentId: string;
  let environmentToken: string;

  const ok = (response: { status: number; body: any }) => {
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body;
  };
  const verifiedToken = async (): Promise<JWTPayload> => {
    const issued = ok(
      await server.call('IdentityService/GetIDToken', { audience: ['sts.amazonaws.com'] }, environmentToken),
    );
    const jwks = (await server.app.inject('/.well-known/jwks.json')).json();
    const { payload } = await jwtVerify(issued.token, createLocalJWKSet(jwks), {
      issuer: testIssuer,
      audience: 'sts.amazonaws.com',
      currentDate: server.clock.now(),
    });
    return payload;
  };
  const configure = (v3: object) =>
    server.call(
      'OrganizationService/UpdateOIDCConfig',
      { organizationId: org.id, oidcConfig: { v3 }, confirmSubChange: true },
      org.admin.token,
    );
  const labelFields = ['project_labels.team', 'environment_labels.note', 'environment_labels.missing'];

  beforeAll(async () => {
    server = await startApiTestServer(engine);
    org = await createOrganizationFixture(server.store, server.clock);
    runner = await createRunnerFixture(server.store, server.clock, org.id);
    projectId = ok(
      await server.call(
        'ProjectService/CreateProject',
        { name: 'app', labels: { team: 'web:core', cost: '50%' } },
        org.admin.token,
      ),
    ).project.id;
    environmentId = ok(
      await server.call(
        'EnvironmentService/CreateEnvironmentFromProject',
        { projectId, spec: { machine: { class: runner.id } }, labels: { note: 'a:b%3A' } },
        org.member.token,
      ),
    ).environment.id;
    environmentToken = ok(
      await server.call(
        'EnvironmentService/CreateEnvironmentAccessToken',
        { environmentId },
        org.member.token,
      ),
    ).accessToken;
  });
  afterAll(() => server.close());

  it('an organization that asks for no labels gets the token it always got', async () => {
    const token = await verifiedToken();
    expect(token.sub).toBe(`organization_id:${org.id}:project_id:${projectId}`);
    expect(token).not.toHaveProperty('project_labels');
    expect(token).not.toHaveProperty('environment_labels');
    expect(Object.keys(token)).toEqual([
      'iss',
      'sub',
      'aud',
      'iat',
      'nbf',
      'exp',
      'jti',
      'organization_id',
      'project_id',
      'environment_id',
      'runner_id',
      'creator_id',
      'creator_principal',
      'creator_email',
      'creator_name',
    ]);
  });

  it('label sub fields: the preview shows the sub the token then carries, encoded; no label claims', async () => {
    const preview = ok(
      await server.call(
        'OrganizationService/PreviewOIDCConfig',
        { organizationId: org.id, oidcConfig: { v3: { extraSubFields: labelFields } } },
        org.admin.token,
      ),
    );
    const expected = `organization_id:${org.id}:project_id:${projectId}:project_labels.team:web%3Acore:environment_labels.note:a%3Ab%253A`;
    expect(preview.subChanges).toEqual([
      {
        principal: 'environment',
        id: environmentId,
        before: `organization_id:${org.id}:project_id:${projectId}`,
        after: expected,
      },
    ]);
    const previewed = preview.principals.find((p: any) => p.principal === 'environment');
    expect(previewed).toMatchObject({ example: 'existing', id: environmentId, sub: expected });
    expect(previewed.claims).not.toHaveProperty('project_labels');

    ok(await configure({ extraSubFields: labelFields }));
    const token = await verifiedToken();
    expect(token.sub).toBe(expected);
    expect(splitSub(String(token.sub)).slice(2)).toEqual([
      ['project_labels.team', 'web:core'],
      ['environment_labels.note', 'a:b%3A'],
    ]);
    expect(token).not.toHaveProperty('project_labels');
  });

  it('labelClaims: the token carries both label sets; the sub does not change', async () => {
    const before = (await verifiedToken()).sub;
    const configured = ok(await configure({ extraSubFields: labelFields, labelClaims: true }));
    expect(configured.oidcConfig).toEqual({ v3: { extraSubFields: labelFields, labelClaims: true } });
    expect(
      ok(await server.call('OrganizationService/GetOIDCConfig', { organizationId: org.id }, org.admin.token))
        .oidcConfig,
    ).toEqual({
      v3: { extraSubFields: labelFields, labelClaims: true },
    });
    const token = await verifiedToken();
    expect(token.sub).toBe(before);
    expect(token.project_labels).toStrictEqual({ cost: '50%', team: 'web:core' });
    expect(token.environment_labels).toStrictEqual({ note: 'a:b%3A' });
    // A user's token has no labels to carry.
    const user = ok(await server.call('IdentityService/GetIDToken', { audience: ['x'] }, org.member.token));
    expect(JSON.parse(Buffer.from(user.token.split('.')[1], 'base64url').toString())).not.toHaveProperty(
      'project_labels',
    );
  });

  it('a label change reaches the next token: a new value, and a removed label leaves the sub', async () => {
    ok(
      await server.call(
        'ProjectService/UpdateProject',
        { projectId, labels: { team: 'api%' } },
        org.admin.token,
      ),
    );
    let token = await verifiedToken();
    expect(token.project_labels).toStrictEqual({ cost: '50%', team: 'api%' });
    expect(token.sub).toBe(
      `organization_id:${org.id}:project_id:${projectId}:project_labels.team:api%25:environment_labels.note:a%3Ab%253A`,
    );
    ok(
      await server.call(
        'EnvironmentService/UpdateEnvironment',
        { environmentId, removeLabels: ['note'] },
        org.member.token,
      ),
    );
    token = await verifiedToken();
    expect(token).not.toHaveProperty('environment_labels');
    expect(token.sub).toBe(`organization_id:${org.id}:project_id:${projectId}:project_labels.team:api%25`);
  });

  it('switching labelClaims off again gives tokens without label claims', async () => {
    ok(await configure({ extraSubFields: [] }));
    const token = await verifiedToken();
    expect(token).not.toHaveProperty('project_labels');
    expect(token.sub).toBe(`organization_id:${org.id}:project_id:${projectId}`);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnvironment, createEnvironmentFromProject } from '../../src/services/environment-create.ts';
import { applySignInClaims } from '../../src/services/sso-claims.ts';
import { newProject } from '../../src/store/conformance/fixtures.ts';
import { engines } from '../support/databases.ts';
import { openServiceFixture, type ServiceFixture } from '../support/service-callers.ts';

/** A new environment records its creator's SSO issuer and forwarded claims as they are at creation. */
describe.each(engines)('environment creation records the creator’s SSO details on %s', (engine) => {
  let f: ServiceFixture;
  beforeAll(async () => {
    f = await openServiceFixture(engine);
  });
  afterAll(() => f?.dispose());

  const request = () => ({ runnerId: f.a.runner.runner.id, initializers: [], status: 'running' as const });

  it("a user's, from its record at that moment; a later sign-in does not change them", async () => {
    const { member } = f.callers.a;
    if (member.kind !== 'user') throw new Error('the fixture member is a user');
    await applySignInClaims(f.store, f.clock, {
      userId: member.id,
      issuer: 'https://sso.example.com/',
      claims: { groups: ['eng'], team: 'core' },
    });
    const created = await createEnvironment(f.as(member), request());
    expect(created).toMatchObject({
      creatorIdp: 'https://sso.example.com/',
      creatorIdpClaims: { groups: ['eng'], team: 'core' },
    });
    await applySignInClaims(f.store, f.clock, {
      userId: member.id,
      issuer: 'https://sso.example.com/',
      claims: {},
    });
    expect(await f.store.environments.get(created.id)).toStrictEqual(created);
    const project = await f.store.projects.insert(newProject(f.a.organization.id));
    const fromProject = await createEnvironmentFromProject(f.as(member), {
      ...request(),
      projectId: project.id,
    });
    expect(fromProject.creatorIdp).toBe('https://sso.example.com/');
    expect(fromProject).not.toHaveProperty('creatorIdpClaims');
  });

  it('none for a creator who never signed in through SSO, nor for a service account', async () => {
    for (const caller of [f.callers.a.admin, f.callers.a.serviceAccount]) {
      const created = await createEnvironment(f.as(caller), request());
      expect(created).not.toHaveProperty('creatorIdp');
      expect(created).not.toHaveProperty('creatorIdpClaims');
    }
  });
});

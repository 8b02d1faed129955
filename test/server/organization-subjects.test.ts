import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrganizationSubjects } from '../../src/services/organization-subjects.ts';
import {
  newEnvironment,
  newMembership,
  newOrganization,
  newProject,
  newRunner,
  newServiceAccount,
  newUser,
} from '../../src/store/conformance/fixtures.ts';
import type { Store } from '../../src/store/store.ts';
import { engines, openTestStore } from '../support/databases.ts';

describe.each(engines)('loadOrganizationSubjects on %s', (engine) => {
  let store: Store;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    ({ store, dispose } = await openTestStore(engine));
  });
  afterAll(() => dispose());

  it('answers members, service accounts, runners and live environments with only the claim fields', async () => {
    const organization = await store.organizations.insert(newOrganization());
    const elsewhere = await store.organizations.insert(newOrganization());
    const orgId = organization.id;
    const member = await store.users.insert(
      newUser({ idp: 'https://sso.example.com', idpClaims: { groups: ['dev'] } }),
    );
    const former = await store.users.insert(newUser({ name: 'Former' }));
    const outsider = await store.users.insert(newUser());
    await store.memberships.insert(newMembership(orgId, member.id));
    await store.memberships.insert(newMembership(elsewhere.id, outsider.id));
    const bot = await store.serviceAccounts.insert(newServiceAccount(orgId));
    const runner = await store.runners.insert(newRunner(orgId));
    const project = await store.projects.insert(
      newProject(orgId, { initializers: [{ contextUrl: 'https://example.com/repo' }] }),
    );
    const env = (o: Parameters<typeof newEnvironment>[2]) =>
      store.environments.insert(newEnvironment(orgId, runner.id, o));
    const byMember = await env({ creatorId: member.id, projectId: project.id });
    const byFormer = await env({ creatorId: former.id, status: 'stopped' });
    const byBot = await env({ creatorId: bot.id, creatorPrincipal: 'service_account' });
    await env({ creatorId: member.id, status: 'deleted' });
    await env({ creatorId: outsider.id });
    // A creator whose record is gone cannot get a token: left out.
    await env({});

    const subjects = await loadOrganizationSubjects(store, orgId);
    const pick = (e: typeof byMember) => ({
      id: e.id,
      ...(e.projectId ? { projectId: e.projectId } : {}),
      runnerId: e.runnerId,
      creatorId: e.creatorId,
      creatorPrincipal: e.creatorPrincipal,
      initializers: e.initializers,
    });
    const user = (u: typeof member) => ({
      id: u.id,
      email: u.email,
      name: u.name,
      ...(u.idp ? { idp: u.idp, idpClaims: u.idpClaims } : {}),
    });
    const sa = { id: bot.id, organizationId: orgId, name: bot.name };
    expect(subjects.slice(0, 6)).toStrictEqual([
      { kind: 'user', organizationId: orgId, user: user(member) },
      { kind: 'service_account', serviceAccount: sa },
      { kind: 'runner', runner: { id: runner.id, organizationId: orgId, name: runner.name } },
      {
        kind: 'environment',
        organizationId: orgId,
        environment: pick(byMember),
        project: { id: project.id, initializers: project.initializers },
        creator: { principal: 'user', user: user(member) },
      },
      {
        kind: 'environment',
        organizationId: orgId,
        environment: pick(byFormer),
        creator: { principal: 'user', user: user(former) },
      },
      {
        kind: 'environment',
        organizationId: orgId,
        environment: pick(byBot),
        creator: { principal: 'service_account', serviceAccount: sa },
      },
    ]);
    // The environment created by a user of another organization counts too (its creator exists);
    // the one whose creator is gone and the deleted one do not.
    expect(subjects).toHaveLength(7);
    expect(subjects[6]).toMatchObject({ kind: 'environment', creator: { user: { id: outsider.id } } });
  });
});

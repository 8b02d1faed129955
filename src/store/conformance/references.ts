import { expect, it } from 'vitest';
import type { Store } from '../store.ts';
import {
  newCredential,
  newEnvironment,
  newMembership,
  newOrganization,
  newOrganizationInvite,
  newProject,
  newRunner,
  newServiceAccount,
  newUser,
} from './fixtures.ts';
import type { GetStore } from './get-store.ts';

/** An organization with one of every child record, and the user who is its member. */
async function organizationTree(store: Store) {
  const organization = await store.organizations.insert(newOrganization());
  const user = await store.users.insert(newUser());
  const membership = await store.memberships.insert(newMembership(organization.id, user.id));
  const serviceAccount = await store.serviceAccounts.insert(newServiceAccount(organization.id));
  const runner = await store.runners.insert(newRunner(organization.id));
  const project = await store.projects.insert(newProject(organization.id));
  const environment = await store.environments.insert(
    newEnvironment(organization.id, runner.id, { projectId: project.id }),
  );
  const credential = await store.credentials.insert(
    newCredential({ principalKind: 'user', principalId: user.id, organizationId: organization.id }),
  );
  const invite = await store.organizationInvites.insert(newOrganizationInvite(organization.id));
  return { organization, user, membership, serviceAccount, runner, project, environment, credential, invite };
}

export function testReferences(store: GetStore): void {
  it('deleting an organization deletes everything in it, and nothing else', async () => {
    const doomed = await organizationTree(store());
    const other = await organizationTree(store());
    // The doomed organization's user is also a member elsewhere.
    const elsewhere = await store().memberships.insert(newMembership(other.organization.id, doomed.user.id));
    await store().organizations.delete(doomed.organization.id);

    const s = store();
    expect(await s.memberships.find(doomed.membership.id)).toBeUndefined();
    expect(await s.serviceAccounts.find(doomed.serviceAccount.id)).toBeUndefined();
    expect(await s.runners.find(doomed.runner.id)).toBeUndefined();
    expect(await s.projects.find(doomed.project.id)).toBeUndefined();
    expect(await s.environments.find(doomed.environment.id)).toBeUndefined();
    expect(await s.credentials.find(doomed.credential.id)).toBeUndefined();
    expect(await s.organizationInvites.find(doomed.invite.id)).toBeUndefined();
    // Users belong to the installation, not to an organization.
    expect(await s.users.get(doomed.user.id)).toStrictEqual(doomed.user);
    expect(await s.memberships.get(elsewhere.id)).toStrictEqual(elsewhere);
    expect(await s.organizations.get(other.organization.id)).toStrictEqual(other.organization);
    expect(await s.memberships.get(other.membership.id)).toStrictEqual(other.membership);
    expect(await s.serviceAccounts.get(other.serviceAccount.id)).toStrictEqual(other.serviceAccount);
    expect(await s.runners.get(other.runner.id)).toStrictEqual(other.runner);
    expect(await s.projects.get(other.project.id)).toStrictEqual(other.project);
    expect(await s.environments.get(other.environment.id)).toStrictEqual(other.environment);
    expect(await s.credentials.get(other.credential.id)).toStrictEqual(other.credential);
    expect(await s.organizationInvites.get(other.invite.id)).toStrictEqual(other.invite);
  });

  it('deleting a user deletes their memberships', async () => {
    const tree = await organizationTree(store());
    await store().users.delete(tree.user.id);
    expect(await store().memberships.find(tree.membership.id)).toBeUndefined();
    expect(await store().organizations.get(tree.organization.id)).toStrictEqual(tree.organization);
  });

  it('deleting a runner deletes its environments', async () => {
    const tree = await organizationTree(store());
    await store().runners.delete(tree.runner.id);
    expect(await store().environments.find(tree.environment.id)).toBeUndefined();
    expect(await store().projects.get(tree.project.id)).toStrictEqual(tree.project);
  });

  it("deleting a project keeps its environments, without the project's ID", async () => {
    const tree = await organizationTree(store());
    await store().projects.delete(tree.project.id);
    const { projectId: _, ...withoutProject } = tree.environment;
    expect(await store().environments.get(tree.environment.id)).toStrictEqual(withoutProject);
  });
}

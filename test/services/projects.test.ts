import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/core/ids.ts';
import { environmentTokens } from '../../src/services/credentials/environment-tokens.ts';
import { createEnvironmentFromProject } from '../../src/services/environment-create.ts';
import * as projects from '../../src/services/projects.ts';
import type { Initializer } from '../../src/store/records.ts';
import { engines } from '../support/databases.ts';
import { installationAdmin, openServiceFixture, type ServiceFixture } from '../support/service-callers.ts';
import { expectRefusedLikeUnknown, refused } from '../support/service-refusals.ts';

/** Who may create, read, list and delete projects, asked of the service directly. */

const initializers: Initializer[] = [
  { git: { remoteUri: 'https://github.com/acme/app.git' }, contextUrl: 'https://github.com/acme/app' },
];

for (const engine of engines) {
  describe(`project service (${engine})`, () => {
    let f: ServiceFixture;
    beforeAll(async () => {
      f = await openServiceFixture(engine);
    });
    afterAll(() => f?.dispose());

    const create = (organizationId?: string) =>
      projects.createProject(f.as(organizationId ? installationAdmin : f.callers.a.admin), {
        name: 'app',
        initializers,
        organizationId,
      });

    it('an admin creates one in its organization; members and machine credentials may not', async () => {
      const project = await create();
      expect(project).toMatchObject({ name: 'app', organizationId: f.a.organization.id, initializers });
      expect(await f.store.projects.get(project.id)).toEqual(project);
      const before = await f.store.projects.count({});
      for (const caller of [
        f.callers.a.member,
        f.callers.a.serviceAccount,
        f.callers.a.runner,
        f.callers.a.environment,
      ]) {
        await expect(projects.createProject(f.as(caller), { name: 'x', initializers: [] })).rejects.toEqual(
          refused('permission_denied', /^only an admin of the organization may create projects$/),
        );
      }
      await expect(
        projects.createProject(f.as(f.callers.a.admin), {
          name: 'x',
          initializers: [],
          organizationId: f.b.organization.id,
        }),
      ).rejects.toEqual(refused('not_found', new RegExp(`^organization ${f.b.organization.id} not found$`)));
      expect(await f.store.projects.count({})).toBe(before);
    });

    it('the installation admin names the organization, which must exist', async () => {
      await expect(
        projects.createProject(f.as(installationAdmin), { name: 'x', initializers: [] }),
      ).rejects.toEqual(
        refused('invalid_argument', /^organizationId: is required for the installation admin/),
      );
      const unknown = newId();
      await expect(create(unknown)).rejects.toEqual(
        refused('not_found', new RegExp(`organization ${unknown}`)),
      );
      expect((await create(f.b.organization.id)).organizationId).toBe(f.b.organization.id);
    });

    it('users of its organization and the installation admin read it; anyone else gets not_found', async () => {
      const project = await create();
      for (const caller of [f.callers.a.admin, f.callers.a.member, installationAdmin]) {
        await expect(projects.getProject(f.as(caller), project.id)).resolves.toEqual(project);
      }
      for (const caller of [
        f.callers.b.admin,
        f.callers.b.member,
        f.callers.b.serviceAccount,
        f.callers.a.serviceAccount,
        f.callers.a.runner,
        f.callers.a.environment,
      ]) {
        await expectRefusedLikeUnknown((id) => projects.getProject(f.as(caller), id), project.id);
      }
    });

    it('a list shows the caller’s organization only, or one project; machine credentials may not list', async () => {
      const mine = await create();
      await create(f.b.organization.id);
      const page = await projects.listProjects(f.as(f.callers.a.member), {}, { pageSize: 100 });
      expect(page.items.map((p) => p.id)).toContain(mine.id);
      expect(page.items.every((p) => p.organizationId === f.a.organization.id)).toBe(true);
      const one = await projects.listProjects(f.as(f.callers.a.member), { projectId: mine.id }, {});
      expect(one.items).toEqual([mine]);
      await expect(
        projects.listProjects(f.as(f.callers.a.admin), { organizationId: f.b.organization.id }, {}),
      ).rejects.toEqual(refused('not_found', /^organization/));
      for (const caller of [f.callers.a.serviceAccount, f.callers.a.runner, f.callers.a.environment]) {
        await expect(projects.listProjects(f.as(caller), {}, {})).rejects.toEqual(
          refused('permission_denied', /credential may not list projects$/),
        );
      }
      const everywhere = await projects.listProjects(f.as(installationAdmin), {}, { pageSize: 100 });
      expect(new Set(everywhere.items.map((p) => p.organizationId))).toEqual(
        new Set([f.a.organization.id, f.b.organization.id]),
      );
      const named = await projects.listProjects(
        f.as(installationAdmin),
        { organizationId: f.b.organization.id },
        { pageSize: 100 },
      );
      expect(named.items.every((p) => p.organizationId === f.b.organization.id)).toBe(true);
    });

    it('an admin deletes one; a member is refused, anyone outside gets not_found, and it stays', async () => {
      const project = await create();
      await expect(
        projects.deleteProject(f.as(f.callers.a.member), { projectId: project.id }),
      ).rejects.toEqual(refused('permission_denied', /^only an admin of the organization may do this$/));
      for (const caller of [f.callers.b.admin, f.callers.a.serviceAccount, f.callers.a.runner]) {
        await expectRefusedLikeUnknown(
          (projectId) => projects.deleteProject(f.as(caller), { projectId }),
          project.id,
        );
      }
      expect(await f.store.projects.find(project.id)).toBeDefined();
      await projects.deleteProject(f.as(f.callers.a.admin), { projectId: project.id });
      expect(await f.store.projects.find(project.id)).toBeUndefined();
      const theirs = await create(f.b.organization.id);
      await projects.deleteProject(f.as(installationAdmin), { projectId: theirs.id });
      expect(await f.store.projects.find(theirs.id)).toBeUndefined();
    });

    it('is refused while an environment is live; force deletes them, revokes their tokens and keeps their records', async () => {
      const project = await create();
      const environment = await createEnvironmentFromProject(f.as(f.callers.a.member), {
        projectId: project.id,
        runnerId: f.a.runner.runner.id,
        initializers: [],
        status: 'stopped',
      });
      const { credential } = await environmentTokens.create(f.as(f.callers.a.member), {
        environmentId: environment.id,
      });
      await expect(
        projects.deleteProject(f.as(f.callers.a.admin), { projectId: project.id }),
      ).rejects.toEqual(
        refused(
          'failed_precondition',
          new RegExp(`^project ${project.id} has 1 environment\\(s\\) that are not deleted; .*"force": true`),
        ),
      );
      expect(await f.store.projects.find(project.id)).toBeDefined();
      expect((await f.store.environments.get(environment.id)).status).toBe('stopped');

      f.clock.advance(1000);
      await projects.deleteProject(f.as(f.callers.a.admin), { projectId: project.id, force: true });
      expect(await f.store.projects.find(project.id)).toBeUndefined();
      const kept = await f.store.environments.get(environment.id);
      expect(kept.status).toBe('deleted');
      expect(kept.projectId).toBeUndefined();
      expect((await f.store.credentials.get(credential.id)).revokedAt).toEqual(f.clock.now());
    });
  });
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/core/ids.ts';
import { environmentTokens } from '../../src/services/credentials/environment-tokens.ts';
import * as environmentCreate from '../../src/services/environment-create.ts';
import * as environments from '../../src/services/environments.ts';
import type { Principal } from '../../src/services/principal.ts';
import type { Initializer } from '../../src/store/records.ts';
import { engines } from '../support/databases.ts';
import { seedRunner } from '../support/principals.ts';
import { installationAdmin, openServiceFixture, type ServiceFixture } from '../support/service-callers.ts';
import { expectRefusedLikeUnknown, refused } from '../support/service-refusals.ts';

/** Who may create, read, list, start, stop and delete environments, asked of the services directly. */

const git = (remoteUri: string): Initializer[] => [{ git: { remoteUri } }];

for (const engine of engines) {
  describe(`environment service (${engine})`, () => {
    let f: ServiceFixture;
    beforeAll(async () => {
      f = await openServiceFixture(engine);
    });
    afterAll(() => f?.dispose());

    const create = (caller: Principal = f.callers.a.member, status: 'running' | 'stopped' = 'running') =>
      environmentCreate.createEnvironment(f.as(caller), {
        runnerId: f.a.runner.runner.id,
        initializers: git('https://github.com/acme/app.git'),
        status,
      });
    /** Everyone who is not of organization a, and a's credentials that are not the environment's. */
    const outsiders = () => [
      f.callers.b.admin,
      f.callers.b.member,
      f.callers.b.serviceAccount,
      f.callers.b.runner,
      f.callers.b.environment,
    ];

    describe('create', () => {
      it('a user or a service account is the creator, in its organization, on one of its runners', async () => {
        const byMember = await create(f.callers.a.member, 'stopped');
        expect(byMember).toMatchObject({
          organizationId: f.a.organization.id,
          creatorId: f.a.member.user.id,
          creatorPrincipal: 'user',
          runnerId: f.a.runner.runner.id,
          initializers: git('https://github.com/acme/app.git'),
          status: 'stopped',
        });
        expect(byMember.projectId).toBeUndefined();
        const bySa = await create(f.callers.a.serviceAccount);
        expect(bySa).toMatchObject({
          creatorId: f.a.serviceAccount.serviceAccount.id,
          creatorPrincipal: 'service_account',
          status: 'running',
        });
      });

      it('the installation admin, a runner and an environment are no creators; nothing is written', async () => {
        const before = await f.store.environments.count({});
        await expect(create(installationAdmin)).rejects.toEqual(
          refused('failed_precondition', /^an environment needs a creator \(a user or a service account\)/),
        );
        for (const caller of [f.callers.a.runner, f.callers.a.environment]) {
          await expect(create(caller)).rejects.toEqual(
            refused('permission_denied', /credential may not create environments$/),
          );
        }
        expect(await f.store.environments.count({})).toBe(before);
      });

      it('another organization’s runner and project answer exactly like unknown ones', async () => {
        const before = await f.store.environments.count({});
        const request = { initializers: [], status: 'running' as const };
        await expectRefusedLikeUnknown(
          (runnerId) =>
            environmentCreate.createEnvironment(f.as(f.callers.a.member), { ...request, runnerId }),
          f.b.runner.runner.id,
        );
        const theirs = await f.store.projects.insert({
          id: newId(),
          organizationId: f.b.organization.id,
          name: 'theirs',
          initializers: [],
          createdAt: f.clock.now(),
        });
        await expectRefusedLikeUnknown(
          (projectId) =>
            environmentCreate.createEnvironmentFromProject(f.as(f.callers.a.member), {
              ...request,
              projectId,
              runnerId: f.a.runner.runner.id,
            }),
          theirs.id,
        );
        expect(await f.store.environments.count({})).toBe(before);
      });

      it('from a project: its initializers unless the request gives some', async () => {
        const project = await f.store.projects.insert({
          id: newId(),
          organizationId: f.a.organization.id,
          name: 'app',
          initializers: git('https://github.com/acme/app.git'),
          createdAt: f.clock.now(),
        });
        const request = { projectId: project.id, runnerId: f.a.runner.runner.id, status: 'running' as const };
        const copied = await environmentCreate.createEnvironmentFromProject(f.as(f.callers.a.member), {
          ...request,
          initializers: [],
        });
        expect(copied).toMatchObject({ projectId: project.id, initializers: project.initializers });
        const given = await environmentCreate.createEnvironmentFromProject(f.as(f.callers.a.serviceAccount), {
          ...request,
          initializers: git('https://github.com/me/fork.git'),
        });
        expect(given).toMatchObject({
          projectId: project.id,
          initializers: git('https://github.com/me/fork.git'),
        });
      });
    });

    describe('read', () => {
      it('users of its organization, its creator, its runner, itself and the installation admin see it', async () => {
        const seeded = f.a.environment.environment;
        for (const caller of [
          f.callers.a.admin,
          f.callers.a.member,
          f.callers.a.runner,
          f.callers.a.environment,
          installationAdmin,
        ]) {
          await expect(environments.getEnvironment(f.as(caller), seeded.id)).resolves.toEqual(seeded);
        }
        const bySa = await create(f.callers.a.serviceAccount);
        await expect(environments.getEnvironment(f.as(f.callers.a.serviceAccount), bySa.id)).resolves.toEqual(
          bySa,
        );
      });

      it('another organization, another runner, a sibling and a non-creating service account get not_found', async () => {
        const environment = await create();
        const otherRunner = await seedRunner(f.store, f.clock, f.a.organization.id);
        const callers: Principal[] = [
          ...outsiders(),
          f.callers.a.serviceAccount,
          f.callers.a.environment,
          {
            kind: 'runner',
            id: otherRunner.runner.id,
            organizationId: f.a.organization.id,
            credentialId: 'x',
          },
        ];
        for (const caller of callers) {
          await expectRefusedLikeUnknown(
            (id) => environments.getEnvironment(f.as(caller), id),
            environment.id,
          );
        }
      });
    });

    describe('list', () => {
      const ids = async (caller: Principal, request: environments.EnvironmentListRequest = {}) =>
        (await environments.listEnvironments(f.as(caller), request, { pageSize: 100 })).items.map(
          (e) => e.id,
        );

      it('users see their organization’s; filters narrow it; another organization named is not_found', async () => {
        const stopped = await create(f.callers.a.admin, 'stopped');
        const all = await environments.listEnvironments(f.as(f.callers.a.member), {}, { pageSize: 100 });
        expect(all.items.map((e) => e.id)).toContain(stopped.id);
        expect(all.items.every((e) => e.organizationId === f.a.organization.id)).toBe(true);
        const narrowed = await environments.listEnvironments(
          f.as(f.callers.a.member),
          { status: 'stopped', creatorId: stopped.creatorId, runnerId: stopped.runnerId },
          { pageSize: 100 },
        );
        expect(narrowed.items.map((e) => e.id)).toContain(stopped.id);
        expect(narrowed.items.every((e) => e.status === 'stopped' && e.creatorId === stopped.creatorId)).toBe(
          true,
        );
        for (const caller of [f.callers.a.member, f.callers.a.serviceAccount, f.callers.a.runner]) {
          await expect(ids(caller, { organizationId: f.b.organization.id })).rejects.toEqual(
            refused('not_found', new RegExp(`^organization ${f.b.organization.id} not found$`)),
          );
        }
      });

      it('a service account sees only what it created, a runner only what it runs', async () => {
        const bySa = await create(f.callers.a.serviceAccount);
        const byMember = await create(f.callers.a.member);
        const saSees = await ids(f.callers.a.serviceAccount);
        expect(saSees).toContain(bySa.id);
        expect(saSees).not.toContain(byMember.id);
        expect(await ids(f.callers.a.serviceAccount, { creatorId: byMember.creatorId })).toEqual([]);

        const otherRunner = await seedRunner(f.store, f.clock, f.a.organization.id);
        const elsewhere = await environmentCreate.createEnvironment(f.as(f.callers.a.member), {
          runnerId: otherRunner.runner.id,
          initializers: [],
          status: 'running',
        });
        const runnerSees = await ids(f.callers.a.runner);
        expect(runnerSees).toEqual(expect.arrayContaining([bySa.id, byMember.id]));
        expect(runnerSees).not.toContain(elsewhere.id);
        expect(await ids(f.callers.a.runner, { runnerId: otherRunner.runner.id })).toEqual([]);
      });

      it('an environment credential may not list; the installation admin lists any organization or all', async () => {
        await expect(ids(f.callers.a.environment)).rejects.toEqual(
          refused('permission_denied', /^a environment credential may not list environments$/),
        );
        const theirs = await ids(installationAdmin, { organizationId: f.b.organization.id });
        expect(theirs).toEqual([f.b.environment.environment.id]);
        expect(await ids(installationAdmin)).toEqual(
          expect.arrayContaining([f.a.environment.environment.id, f.b.environment.environment.id]),
        );
      });
    });

    describe('start and stop', () => {
      it('its creator, its runner, an admin and the installation admin start and stop it', async () => {
        const environment = await create();
        const bySa = await create(f.callers.a.serviceAccount);
        await expect(
          environments.stopEnvironment(f.as(f.callers.a.serviceAccount), bySa.id),
        ).resolves.toMatchObject({
          status: 'stopped',
        });
        const callers = [f.callers.a.member, f.callers.a.runner, f.callers.a.admin, installationAdmin];
        for (const caller of callers) {
          await expect(environments.stopEnvironment(f.as(caller), environment.id)).resolves.toMatchObject({
            status: 'stopped',
          });
          await expect(environments.startEnvironment(f.as(caller), environment.id)).resolves.toMatchObject({
            status: 'running',
          });
        }
      });

      it('a member who did not create it and the environment itself are refused; outsiders get not_found', async () => {
        const environment = await create(f.callers.a.admin);
        const self: Principal = { ...f.callers.a.environment, id: environment.id } as Principal;
        for (const caller of [f.callers.a.member, self]) {
          await expect(environments.stopEnvironment(f.as(caller), environment.id)).rejects.toEqual(
            refused(
              'permission_denied',
              /^only the creator of the environment, an admin of its organization or its runner/,
            ),
          );
        }
        for (const caller of outsiders()) {
          await expectRefusedLikeUnknown(
            (id) => environments.stopEnvironment(f.as(caller), id),
            environment.id,
          );
          await expectRefusedLikeUnknown(
            (id) => environments.startEnvironment(f.as(caller), id),
            environment.id,
          );
        }
        expect((await f.store.environments.get(environment.id)).status).toBe('running');
      });
    });

    describe('access tokens (what operating it takes)', () => {
      const mint = (caller: Principal, environmentId: string) =>
        environmentTokens.create(f.as(caller), { environmentId });

      it('its creator, its runner, an admin and the installation admin mint them', async () => {
        const environment = await create(f.callers.a.serviceAccount);
        for (const caller of [
          f.callers.a.serviceAccount,
          f.callers.a.runner,
          f.callers.a.admin,
          installationAdmin,
        ]) {
          const { credential } = await mint(caller, environment.id);
          expect(credential).toMatchObject({ principalKind: 'environment', principalId: environment.id });
        }
      });

      it('a member who did not create it and the environment itself are refused; outsiders get not_found', async () => {
        const environment = await create(f.callers.a.admin);
        const self: Principal = { ...f.callers.a.environment, id: environment.id } as Principal;
        const before = await f.store.credentials.count({});
        for (const caller of [f.callers.a.member, self]) {
          await expect(mint(caller, environment.id)).rejects.toEqual(refused('permission_denied'));
        }
        for (const caller of outsiders()) {
          await expectRefusedLikeUnknown((id) => mint(caller, id), environment.id);
        }
        expect(await f.store.credentials.count({})).toBe(before);
      });
    });

    describe('delete', () => {
      it('its creator or an admin deletes it, revoking its tokens; a deleted one cannot be started again', async () => {
        for (const caller of [f.callers.a.member, f.callers.a.admin, installationAdmin]) {
          const environment = await create();
          const { credential } = await environmentTokens.create(f.as(f.callers.a.member), {
            environmentId: environment.id,
          });
          await expect(environments.deleteEnvironment(f.as(caller), environment.id)).resolves.toMatchObject({
            status: 'deleted',
          });
          expect((await f.store.credentials.get(credential.id)).revokedAt).toEqual(f.clock.now());
          await expect(environments.startEnvironment(f.as(caller), environment.id)).rejects.toEqual(
            refused('failed_precondition', /is deleted; it cannot be started or stopped$/),
          );
          // Deleting twice is no error, and it stays deleted.
          await environments.deleteEnvironment(f.as(caller), environment.id);
          expect((await f.store.environments.get(environment.id)).status).toBe('deleted');
        }
      });

      it('its runner and a member who did not create it are refused; outsiders get not_found', async () => {
        const environment = await create(f.callers.a.admin);
        for (const caller of [f.callers.a.runner, f.callers.a.member]) {
          await expect(environments.deleteEnvironment(f.as(caller), environment.id)).rejects.toEqual(
            refused(
              'permission_denied',
              /^only the creator of the environment or an admin of its organization/,
            ),
          );
        }
        for (const caller of outsiders()) {
          await expectRefusedLikeUnknown(
            (id) => environments.deleteEnvironment(f.as(caller), id),
            environment.id,
          );
        }
        expect((await f.store.environments.get(environment.id)).status).toBe('running');
      });
    });
  });
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as runners from '../../src/services/runners.ts';
import { engines } from '../support/databases.ts';
import { seedEnvironment, seedRunner } from '../support/principals.ts';
import { installationAdmin, openServiceFixture, type ServiceFixture } from '../support/service-callers.ts';
import { expectRefusedLikeUnknown, refused } from '../support/service-refusals.ts';

/** Who may create, read, list and delete runners, asked of the service directly. */

for (const engine of engines) {
  describe(`runner service (${engine})`, () => {
    let f: ServiceFixture;
    beforeAll(async () => {
      f = await openServiceFixture(engine);
    });
    afterAll(() => f?.dispose());

    const runnerCount = async () => (await f.store.runners.list({}, { pageSize: 100 })).items.length;

    it('an admin creates one in its organization; members and machines may not; the installation admin names one', async () => {
      const created = await runners.createRunner(f.as(f.callers.a.admin), { name: 'eu-1' });
      expect(created).toMatchObject({ name: 'eu-1', organizationId: f.a.organization.id });
      const before = await runnerCount();
      for (const caller of [f.callers.a.member, f.callers.a.serviceAccount, f.callers.a.runner]) {
        await expect(runners.createRunner(f.as(caller), { name: 'x' })).rejects.toEqual(
          refused('permission_denied', /only an admin of the organization may create runners/),
        );
      }
      await expectRefusedLikeUnknown(
        (organizationId) => runners.createRunner(f.as(f.callers.a.admin), { name: 'x', organizationId }),
        f.b.organization.id,
      );
      await expect(runners.createRunner(f.as(installationAdmin), { name: 'x' })).rejects.toEqual(
        refused('invalid_argument', /^organizationId/),
      );
      expect(await runnerCount()).toBe(before);
      const named = await runners.createRunner(f.as(installationAdmin), {
        name: 'x',
        organizationId: f.b.organization.id,
      });
      expect(named.organizationId).toBe(f.b.organization.id);
    });

    it('members, the runner itself and the installation admin read it; anyone else gets not_found, as for an unknown ID', async () => {
      const id = f.a.runner.runner.id;
      for (const caller of [f.callers.a.member, f.callers.a.runner, installationAdmin]) {
        await expect(runners.getRunner(f.as(caller), id)).resolves.toMatchObject({ id });
      }
      const sibling = await seedRunner(f.store, f.clock, f.a.organization.id);
      const siblingCaller = { ...f.callers.a.runner, id: sibling.runner.id };
      const others = [
        siblingCaller,
        f.callers.a.serviceAccount,
        f.callers.a.environment,
        f.callers.b.admin,
        f.callers.b.member,
        f.callers.b.runner,
      ];
      for (const caller of others) {
        await expectRefusedLikeUnknown((runnerId) => runners.getRunner(f.as(caller), runnerId), id);
      }
    });

    it('a list shows the caller’s organization only; machine credentials may not list', async () => {
      const page = await runners.listRunners(f.as(f.callers.a.member), undefined, { pageSize: 100 });
      expect(page.items.length).toBeGreaterThan(0);
      expect(page.items.every((r) => r.organizationId === f.a.organization.id)).toBe(true);
      await expect(runners.listRunners(f.as(f.callers.a.member), f.b.organization.id, {})).rejects.toEqual(
        refused('not_found', /organization/),
      );
      for (const caller of [f.callers.a.runner, f.callers.a.serviceAccount, f.callers.a.environment]) {
        await expect(runners.listRunners(f.as(caller), undefined, {})).rejects.toEqual(
          refused('permission_denied', /may not list runners/),
        );
      }
      const all = await runners.listRunners(f.as(installationAdmin), undefined, { pageSize: 100 });
      const orgs = new Set(all.items.map((r) => r.organizationId));
      expect(orgs).toEqual(new Set([f.a.organization.id, f.b.organization.id]));
      const named = await runners.listRunners(f.as(installationAdmin), f.b.organization.id, {
        pageSize: 100,
      });
      expect(named.items.every((r) => r.organizationId === f.b.organization.id)).toBe(true);
    });

    it('only an admin deletes one: a member and the runner itself are refused, another organization gets not_found', async () => {
      const { runner } = await seedRunner(f.store, f.clock, f.a.organization.id);
      const self = { ...f.callers.a.runner, id: runner.id };
      for (const caller of [f.callers.a.member, self]) {
        await expect(runners.deleteRunner(f.as(caller), runner.id)).rejects.toEqual(
          refused('permission_denied'),
        );
      }
      await expectRefusedLikeUnknown((id) => runners.deleteRunner(f.as(f.callers.b.admin), id), runner.id);
      expect(await f.store.runners.find(runner.id)).toBeDefined();
      await runners.deleteRunner(f.as(f.callers.a.admin), runner.id);
      expect(await f.store.runners.find(runner.id)).toBeUndefined();
      await expect(runners.deleteRunner(f.as(f.callers.a.admin), runner.id)).rejects.toEqual(
        refused('not_found', /runner/),
      );
    });

    it('live environments refuse the delete, changing nothing; force deletes them and revokes every token', async () => {
      const { runner } = await seedRunner(f.store, f.clock, f.a.organization.id);
      const { environment } = await seedEnvironment(
        f.store,
        f.clock,
        f.a.organization.id,
        runner.id,
        f.a.member.user.id,
      );
      const credentialsOf = async (principalId: string) =>
        (await f.store.credentials.list({ principalId }, { pageSize: 100 })).items;
      await expect(runners.deleteRunner(f.as(f.callers.a.admin), runner.id)).rejects.toEqual(
        refused('failed_precondition', /has 1 environment\(s\) that are not deleted/),
      );
      expect((await f.store.environments.get(environment.id)).status).toBe('running');
      expect((await credentialsOf(environment.id)).every((c) => c.revokedAt === undefined)).toBe(true);

      await runners.deleteRunner(f.as(installationAdmin), runner.id, { force: true });
      expect(await f.store.runners.find(runner.id)).toBeUndefined();
      // The environment's record goes with the runner (the store cascades); its token stays revoked.
      expect(await f.store.environments.find(environment.id)).toBeUndefined();
      for (const principalId of [runner.id, environment.id]) {
        const credentials = await credentialsOf(principalId);
        expect(credentials.length).toBeGreaterThan(0);
        expect(credentials.every((c) => c.revokedAt !== undefined)).toBe(true);
      }
    });
  });
}

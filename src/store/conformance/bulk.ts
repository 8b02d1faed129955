import { expect, it } from 'vitest';
import { newId } from '../../core/ids.ts';
import type { Environment } from '../records.ts';
import { maxBatchSize, type Store } from '../store.ts';
import {
  newCredential,
  newEnvironment,
  newOrganization,
  newProject,
  newRunner,
  newUser,
} from './fixtures.ts';
import type { GetStore } from './get-store.ts';

/** An organization with a runner, a project and `count` environments (every third stopped, one deleted). */
async function environments(store: Store, count: number) {
  const organization = await store.organizations.insert(newOrganization());
  const runner = await store.runners.insert(newRunner(organization.id));
  const project = await store.projects.insert(newProject(organization.id));
  const records = Array.from({ length: count }, (_, i) =>
    newEnvironment(organization.id, runner.id, {
      projectId: project.id,
      status: i === 0 ? 'deleted' : i % 3 === 0 ? 'stopped' : 'running',
    }),
  );
  await store.environments.insertMany(records);
  return { organization, runner, project, records };
}

const ids = (records: { id: string }[]) => records.map((r) => r.id).sort();

export function testBulk(store: GetStore): void {
  it('filters on a list of values (one of them), an empty list matching nothing', async () => {
    const { project, records } = await environments(store(), 7);
    const live = records.filter((e) => e.status !== 'deleted');
    const page = await store().environments.list(
      { projectId: project.id, status: ['running', 'stopped'] },
      { pageSize: 100 },
    );
    expect(ids(page.items)).toStrictEqual(ids(live));
    const two = [records[1]!.id, records[2]!.id, 'not-a-uuid', newId()];
    expect(ids((await store().environments.list({ id: two })).items)).toStrictEqual(
      ids([records[1]!, records[2]!]),
    );
    expect((await store().environments.list({ id: [] })).items).toStrictEqual([]);
    expect((await store().environments.list({ id: ['not-a-uuid'] })).items).toStrictEqual([]);
    expect(await store().environments.count({ projectId: project.id, status: [] })).toBe(0);
  });

  it('filters on an optional field being absent with null', async () => {
    const principalId = newId();
    const revoked = newCredential({ principalKind: 'environment', principalId, revokedAt: new Date() });
    const live = newCredential({ principalKind: 'environment', principalId });
    await store().credentials.insertMany([revoked, live]);
    expect((await store().credentials.list({ principalId, revokedAt: null })).items).toStrictEqual([live]);
    expect(await store().credentials.count({ principalId })).toBe(2);
  });

  it('count answers how many records match', async () => {
    const { project, organization } = await environments(store(), 10);
    expect(await store().environments.count({ projectId: project.id })).toBe(10);
    expect(await store().environments.count({ projectId: project.id, status: 'stopped' })).toBe(3);
    expect(await store().environments.count({ organizationId: organization.id, status: 'deleted' })).toBe(1);
    expect(await store().environments.count({ projectId: 'not-a-uuid' })).toBe(0);
  });

  it('select answers every match in creation order, only the fields asked for (and id)', async () => {
    const { project, records } = await environments(store(), 150);
    const selected = await store().environments.select({ projectId: project.id }, ['creatorId', 'status']);
    expect(selected).toHaveLength(150);
    expect(selected).toStrictEqual(
      records.map((e) => ({ id: e.id, creatorId: e.creatorId, status: e.status })),
    );
    const user = await store().users.insert(
      newUser({ idp: 'https://sso.example.com', idpClaims: { g: ['a'] } }),
    );
    const plain = await store().users.insert(newUser());
    // Absent optional fields stay absent; jsonb fields come back as values; times as Dates.
    expect(
      await store().users.select({ id: [user.id, plain.id] }, ['idp', 'idpClaims', 'createdAt']),
    ).toStrictEqual([
      { id: user.id, idp: user.idp, idpClaims: user.idpClaims, createdAt: user.createdAt },
      { id: plain.id, createdAt: plain.createdAt },
    ]);
    expect(await store().users.select({ id: [] }, ['email'])).toStrictEqual([]);
    expect(await store().users.select({ id: plain.id }, ['emailVerified'])).toStrictEqual([
      { id: plain.id, emailVerified: true },
    ]);
    // Every field as stored: times (with milliseconds), text, absent ones left out.
    const credential = newCredential({
      principalKind: 'environment',
      principalId: newId(),
      expiresAt: new Date('2031-02-03T04:05:06.789Z'),
      revokedAt: new Date('2030-12-31T23:59:59.001Z'),
    });
    const plainCredential = newCredential({
      principalKind: 'environment',
      principalId: credential.principalId,
    });
    await store().credentials.insertMany([credential, plainCredential]);
    const fields = [
      'principalKind',
      'principalId',
      'secretHash',
      'description',
      'createdAt',
      'expiresAt',
      'revokedAt',
    ] as const;
    expect(await store().credentials.select({ principalId: credential.principalId }, fields)).toStrictEqual([
      credential,
      plainCredential,
    ]);
  });

  it('updateMany changes at most `limit` matching records, answers their IDs, and announces the change', async () => {
    const { project, records } = await environments(store(), 25);
    const heard: string[] = [];
    const stop = await store().watchChanges((collection) => heard.push(collection));
    try {
      const filter = { projectId: project.id, status: ['running', 'stopped'] } as const;
      const batches: string[][] = [];
      for (;;) {
        const changed = await store().environments.updateMany(filter, { status: 'deleted' }, 10);
        batches.push(changed);
        if (changed.length < 10) break;
      }
      expect(batches.map((b) => b.length)).toStrictEqual([10, 10, 4]);
      const live = records.filter((e) => e.status !== 'deleted');
      expect(batches.flat().sort()).toStrictEqual(ids(live));
      for (const e of records) {
        expect(await store().environments.get(e.id)).toStrictEqual({ ...e, status: 'deleted' });
      }
      expect(heard).toContain('environments');
      expect(await store().environments.updateMany(filter, { status: 'deleted' }, 10)).toStrictEqual([]);
    } finally {
      await stop();
    }
  });

  it('updateMany clears a field set to undefined and leaves other records alone', async () => {
    const { project, records } = await environments(store(), 3);
    const other = await environments(store(), 2);
    const changed = await store().environments.updateMany(
      { projectId: project.id },
      { projectId: undefined },
      100,
    );
    expect(changed.sort()).toStrictEqual(ids(records));
    const { projectId: _, ...detached } = records[1]! as Environment;
    expect(await store().environments.get(records[1]!.id)).toStrictEqual(detached);
    expect(await store().environments.count({ projectId: other.project.id })).toBe(2);
  });

  it('updateMany inside a transaction is undone with it', async () => {
    const { project } = await environments(store(), 4);
    await expect(
      store().transaction(async (tx) => {
        expect(
          await tx.environments.updateMany({ projectId: project.id }, { status: 'deleted' }, 100),
        ).toHaveLength(4);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await store().environments.count({ projectId: project.id, status: 'deleted' })).toBe(1);
  });

  it('updateMany refuses an empty filter, a limit out of range and a change of nothing', async () => {
    const { project } = await environments(store(), 2);
    await expect(store().environments.updateMany({}, { status: 'deleted' }, 10)).rejects.toThrow(/filter/);
    for (const limit of [0, maxBatchSize + 1, 1.5]) {
      await expect(
        store().environments.updateMany({ projectId: project.id }, { status: 'deleted' }, limit),
      ).rejects.toThrow(`limit must be an integer from 1 to ${maxBatchSize}`);
    }
    await expect(store().environments.updateMany({ projectId: project.id }, {}, 10)).rejects.toThrow(
      /changes no field/,
    );
    expect(await store().environments.count({ projectId: project.id, status: 'deleted' })).toBe(1);
  });
}

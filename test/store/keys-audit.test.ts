import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/core/ids.ts';
import { encryptPrivateKey } from '../../src/core/keys/encrypt-key.ts';
import { keyMaterialFrom } from '../../src/core/keys/generate-key.ts';
import { masterKeyFromBytes } from '../../src/core/keys/master-key.ts';
import { AlreadyExistsError } from '../../src/store/errors.ts';
import type { AuditEvent, SigningKey } from '../../src/store/records.ts';
import type { Store } from '../../src/store/store.ts';
import { engines, openTestStore } from '../support/databases.ts';

const master = masterKeyFromBytes(Buffer.alloc(32, 1));
const signingKey = (file: string, state: SigningKey['state'], at: Date): SigningKey => {
  const material = keyMaterialFrom(readFileSync(new URL(`../fixtures/${file}`, import.meta.url), 'utf8'));
  return {
    id: material.kid,
    state,
    algorithm: 'RS256',
    publicJwk: material.publicJwk,
    encryptedPrivateKey: encryptPrivateKey(material.privateKey, material.kid, master),
    createdAt: at,
    publishedAt: at,
    ...(state === 'current' ? { activatedAt: at } : {}),
  };
};

describe.each(engines)('signing keys and audit events on %s', (engine) => {
  let store: Store;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    ({ store, dispose } = await openTestStore(engine));
  });
  afterAll(() => dispose());

  it('keeps a signing key exactly, and at most one current and one next key', async () => {
    const t0 = new Date(Date.UTC(2026, 0, 1));
    const current = signingKey('signing-key-1.pem', 'current', t0);
    await store.signingKeys.insert(current);
    expect(await store.signingKeys.get(current.id)).toEqual(current);
    const second = signingKey('signing-key-2.pem', 'current', t0);
    await expect(store.signingKeys.insert(second)).rejects.toBeInstanceOf(AlreadyExistsError);
    await store.signingKeys.insert({ ...second, state: 'next' });
    await expect(
      store.signingKeys.insert({ ...second, id: 'another-kid', state: 'next' }),
    ).rejects.toBeInstanceOf(AlreadyExistsError);
    // A rotation in one transaction: retire first, then promote.
    const t1 = new Date(t0.getTime() + 3600_000);
    await store.transaction(async (tx) => {
      await tx.signingKeys.update(current.id, (k) => ({ ...k, state: 'retired', retiredAt: t1 }));
      await tx.signingKeys.update(second.id, (k) => ({ ...k, state: 'current', activatedAt: t1 }));
    });
    const keys = (await store.signingKeys.list({}, { pageSize: 100 })).items;
    expect(keys.map((k) => [k.id, k.state])).toEqual(
      [
        [current.id, 'retired'],
        [second.id, 'current'],
      ].sort((a, b) => a[0]!.localeCompare(b[0]!)),
    );
    expect((await store.signingKeys.get(current.id)).retiredAt).toEqual(t1);
    await store.signingKeys.delete(current.id);
    expect(await store.signingKeys.find(current.id)).toBeUndefined();
  });

  it('lists audit events by principal, kind and time range, with paging', async () => {
    const organizationId = newId();
    const principalId = newId();
    const base = Date.UTC(2026, 1, 1);
    const events: AuditEvent[] = Array.from({ length: 7 }, (_, i) => ({
      id: newId(),
      kind: i === 3 ? 'oidc_config.updated' : 'token.issued',
      organizationId,
      principalKind: 'environment',
      principalId: i % 2 === 0 ? principalId : newId(),
      actorKind: 'environment',
      actorId: principalId,
      details: {
        jti: `j${i}`,
        audiences: ['a', 'b'],
        sub: `organization_id:${organizationId}`,
        iat: i,
        exp: i + 3600,
      },
      createdAt: new Date(base + i * 60_000),
    }));
    await store.auditEvents.insertMany(events);
    expect(await store.auditEvents.get(events[0]!.id)).toEqual(events[0]);

    const range = { from: new Date(base + 60_000), before: new Date(base + 5 * 60_000) };
    const inRange = await store.auditEvents.list({ organizationId }, {}, range);
    expect(inRange.items.map((e) => e.details.jti)).toEqual(['j1', 'j2', 'j3', 'j4']);
    const mine = await store.auditEvents.list(
      { organizationId, principalId, kind: 'token.issued' },
      {},
      range,
    );
    expect(mine.items.map((e) => e.details.jti)).toEqual(['j2', 'j4']);
    expect(
      (await store.auditEvents.list({ organizationId }, {}, { from: new Date(base + 6 * 60_000) })).items,
    ).toHaveLength(1);
    expect(
      (await store.auditEvents.list({ organizationId }, {}, { before: new Date(base) })).items,
    ).toHaveLength(0);

    const first = await store.auditEvents.list({ organizationId }, { pageSize: 3 }, range);
    expect(first.items.map((e) => e.details.jti)).toEqual(['j1', 'j2', 'j3']);
    const second = await store.auditEvents.list(
      { organizationId },
      { pageSize: 3, token: first.nextToken! },
      range,
    );
    expect(second.items.map((e) => e.details.jti)).toEqual(['j4']);
    expect(second.nextToken).toBeUndefined();
  });
});

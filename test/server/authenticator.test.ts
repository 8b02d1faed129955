import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/core/clock.ts';
import { generateSecret, hashSecret } from '../../src/core/credentials.ts';
import { newId } from '../../src/core/ids.ts';
import { Authenticator } from '../../src/server/auth/authenticator.ts';
import { ChangeFeed } from '../../src/server/cache/change-feed.ts';
import { issueCredential, revokeCredential } from '../../src/services/credentials/issue-credential.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/store.ts';
import { createTestDatabase, engines, noPostgres } from '../support/databases.ts';
import { titled } from '../support/skip-reason.ts';

const eventually = async (check: () => Promise<boolean>) => {
  for (let i = 0; i < 1000; i++) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return false;
};

async function serviceAccountCredential(store: Store, clock: ManualClock) {
  const organizationId = newId();
  await store.organizations.insert({
    id: organizationId,
    name: 'acme',
    oidcConfig: { version: 'v3', extraSubFields: [] },
    createdAt: clock.now(),
  });
  const serviceAccount = { id: newId(), organizationId, name: 'ci', createdAt: clock.now() };
  await store.serviceAccounts.insert(serviceAccount);
  const issued = await issueCredential(store, clock, {
    principalKind: 'service_account',
    principalId: serviceAccount.id,
    organizationId,
    description: 'ci',
    expiresAt: new Date(clock.now().getTime() + 60_000),
  });
  return { ...issued, serviceAccount };
}

async function startAuthenticator(
  store: Store,
  clock: ManualClock,
  options: { ttlMs?: number; maxEntries?: number; maxFailures?: number } = {},
) {
  const feed = new ChangeFeed(store);
  await feed.start();
  const changes = vi.fn();
  feed.onChange(changes);
  return { authenticator: new Authenticator(store, clock, feed, options), feed, changes };
}

const refused = (authenticator: Authenticator, secret: string) =>
  authenticator.authenticate(secret).then(
    () => false,
    () => true,
  );

describe.each(engines)('Authenticator on %s', (engine) => {
  let store: Store;
  let drop: (() => Promise<void>) | undefined;
  const clock = new ManualClock();
  // The three inserts of serviceAccountCredential are announced to this process at once; on PGlite the
  // NOTIFY echo follows (PostgreSQL drops the echo of this process's own writes): let all arrive.
  const announcements = engine === 'postgres' ? 3 : 6;
  beforeAll(async () => {
    const database = engine === 'postgres' ? await createTestDatabase() : undefined;
    drop = database?.drop;
    store = await openStore(database ? { databaseUrl: database.url } : {});
  });
  afterAll(async () => {
    await store.close();
    await drop?.();
  });
  // A failed test leaves no spy behind to count the next test's look-ups.
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('answers repeated requests from memory, and drops the answer when the credential is revoked', async () => {
    const { authenticator, feed, changes } = await startAuthenticator(store, clock);
    const { secret, credential, serviceAccount } = await serviceAccountCredential(store, clock);
    expect(await eventually(async () => changes.mock.calls.length >= announcements)).toBe(true);
    const lookups = vi.spyOn(store.credentials, 'findOne');
    expect((await authenticator.authenticate(secret)).kind).toBe('service_account');
    await authenticator.authenticate(secret);
    await authenticator.authenticate(secret);
    expect(lookups).toHaveBeenCalledTimes(1);
    lookups.mockRestore();

    await revokeCredential(store, clock, credential.id);
    expect(await eventually(() => refused(authenticator, secret))).toBe(true);
    expect(serviceAccount.id).toBeDefined();
    await feed.stop();
  });

  it('refuses a cached credential once it expires, without asking the database', async () => {
    const { authenticator, feed } = await startAuthenticator(store, clock, { ttlMs: 3_600_000 });
    const { secret } = await serviceAccountCredential(store, clock);
    await authenticator.authenticate(secret);
    clock.advance(61_000);
    await expect(authenticator.authenticate(secret)).rejects.toThrow('expired');
    await feed.stop();
  });

  it('remembers a refused credential, so repeating it costs no look-up, until a write is announced', async () => {
    const { authenticator, feed, changes } = await startAuthenticator(store, clock);
    const { serviceAccount } = await serviceAccountCredential(store, clock);
    expect(await eventually(async () => changes.mock.calls.length >= announcements)).toBe(true);
    const secret = generateSecret('service_account');
    const lookups = vi.spyOn(store.credentials, 'findOne');
    for (let i = 0; i < 3; i++) {
      await expect(authenticator.authenticate(secret)).rejects.toThrow('the credential is not valid');
    }
    expect(lookups).toHaveBeenCalledTimes(1);
    lookups.mockRestore();

    // The same secret becomes a credential (as if issued through another server): the write is announced
    // and the refusal forgotten.
    await store.credentials.insert({
      id: newId(),
      principalKind: 'service_account',
      principalId: serviceAccount.id,
      organizationId: serviceAccount.organizationId,
      secretHash: hashSecret(secret),
      description: 'late',
      createdAt: clock.now(),
    });
    expect(await eventually(async () => !(await refused(authenticator, secret)))).toBe(true);
    await feed.stop();
  });

  it('keeps valid credentials cached however many unknown ones are tried', async () => {
    const { authenticator, feed, changes } = await startAuthenticator(store, clock, {
      maxEntries: 2,
      maxFailures: 2,
    });
    const { secret } = await serviceAccountCredential(store, clock);
    expect(await eventually(async () => changes.mock.calls.length >= announcements)).toBe(true);
    await authenticator.authenticate(secret);
    for (let i = 0; i < 5; i++) {
      await expect(authenticator.authenticate(generateSecret('environment'))).rejects.toThrow('not valid');
    }
    const lookups = vi.spyOn(store.credentials, 'findOne');
    await authenticator.authenticate(secret);
    expect(lookups).not.toHaveBeenCalled();
    lookups.mockRestore();
    await feed.stop();
  });

  it('does not remember a failed look-up (the database may be back next time)', async () => {
    const { authenticator, feed } = await startAuthenticator(store, clock);
    const { secret } = await serviceAccountCredential(store, clock);
    const lookups = vi
      .spyOn(store.credentials, 'findOne')
      .mockRejectedValueOnce(new Error('connection lost'));
    await expect(authenticator.authenticate(secret)).rejects.toThrow('connection lost');
    expect((await authenticator.authenticate(secret)).kind).toBe('service_account');
    expect(lookups).toHaveBeenCalledTimes(2);
    lookups.mockRestore();
    await feed.stop();
  });

  it('refuses at once when the principal is deleted', async () => {
    const { authenticator, feed } = await startAuthenticator(store, clock);
    const { secret, serviceAccount } = await serviceAccountCredential(store, clock);
    await authenticator.authenticate(secret);
    await store.serviceAccounts.delete(serviceAccount.id);
    expect(await eventually(() => refused(authenticator, secret))).toBe(true);
    await feed.stop();
  });
});

describe.skipIf(noPostgres !== undefined)(titled('Authenticator across replicas', noPostgres), () => {
  it('learns of a revoke made through another server', async () => {
    const database = await createTestDatabase();
    const [a, b] = [
      await openStore({ databaseUrl: database.url }),
      await openStore({ databaseUrl: database.url }),
    ];
    const clock = new ManualClock();
    try {
      const { authenticator: onB, feed } = await startAuthenticator(b, clock, { ttlMs: 3_600_000 });
      const { secret, credential } = await serviceAccountCredential(a, clock);
      await onB.authenticate(secret);
      await revokeCredential(a, clock, credential.id);
      expect(await eventually(() => refused(onB, secret))).toBe(true);
      await feed.stop();
    } finally {
      await a.close();
      await b.close();
      await database.drop();
    }
  });
});

import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, noPostgres } from '../support/databases.ts';
import { type EnvidProcess, removeDir, startEnvid } from '../support/envid-process.ts';
import { titled } from '../support/skip-reason.ts';

vi.setConfig({ testTimeout: 180_000 });

async function call(server: EnvidProcess, method: string, body: unknown = {}) {
  const response = await fetch(`${server.url}/api/gitpod.v1.SigningKeyService/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${server.adminToken}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

describe.skipIf(noPostgres !== undefined)(titled('two servers on one PostgreSQL', noPostgres), () => {
  const cleanups: (() => unknown)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('create one key set between them, and one new key when both revoke at the same moment', async () => {
    const database = await createTestDatabase();
    cleanups.push(database.drop);
    const env = { ENVID_MASTER_KEY: randomBytes(32).toString('base64') };
    const adminToken = `envid_adm_${randomBytes(32).toString('base64url')}`;
    const [a, b] = await Promise.all(
      [0, 1].map(() => startEnvid({ databaseUrl: database.url, adminToken, env })),
    );
    for (const server of [a!, b!])
      cleanups.push(
        () => removeDir(server.dataDir),
        () => server.stop(),
      );

    const initial = (await call(a!, 'ListSigningKeys')).body.keys;
    expect(initial.map((k: { state: string }) => k.state)).toEqual(['current', 'next']);
    const current = initial[0].keyId;

    const results = await Promise.all(
      [a!, b!].map((server) => call(server, 'RevokeSigningKey', { keyId: current })),
    );
    // One of them revoked it; the other found it gone (already revoked) or nothing left to do.
    expect(results.map((r) => r.status).sort()).toContain(200);
    const after = (await call(b!, 'ListSigningKeys')).body.keys;
    expect(after.map((k: { state: string }) => k.state)).toEqual(['current', 'next']);
    expect(after.map((k: { keyId: string }) => k.keyId)).not.toContain(current);
    expect(after[0].keyId).toBe(initial[1].keyId);

    // Both servers publish the same key set and sign with the same key.
    const [jwksA, jwksB] = await Promise.all(
      [a!, b!].map(async (server) => (await fetch(`${server.url}/.well-known/jwks.json`)).json()),
    );
    expect(jwksA).toEqual(jwksB);
  });
});

// Each case starts its own server processes: they run side by side.
describe.concurrent('the master key', () => {
  it('refuses to start with a master key that cannot decrypt the stored keys, saying why', async () => {
    const first = await startEnvid({ env: { ENVID_MASTER_KEY: randomBytes(32).toString('hex') } });
    expect(await first.stop()).toBe(0);
    try {
      await expect(
        startEnvid({
          dataDir: first.dataDir,
          adminToken: first.adminToken,
          env: { ENVID_MASTER_KEY: randomBytes(32).toString('hex') },
        }),
      ).rejects.toThrow(
        /master key \(ENVID_MASTER_KEY or <data-dir>\/master-key\): recorded key ID \S+, this server's \S+ \(the stored signing keys are sealed under the recorded one\)/,
      );
    } finally {
      removeDir(first.dataDir);
    }
  });

  it('refuses a malformed ENVID_MASTER_KEY, naming it', async () => {
    // Refused before any database is opened: an empty data directory will do (no template copy).
    await expect(startEnvid({ env: { ENVID_MASTER_KEY: 'too-short' }, freshDatabase: true })).rejects.toThrow(
      /ENVID_MASTER_KEY is not a master key/,
    );
  });

  it('creates a key file with mode 0600 when none is given', async () => {
    const { statSync } = await import('node:fs');
    const server = await startEnvid();
    try {
      expect(statSync(`${server.dataDir}/master-key`).mode & 0o777).toBe(0o600);
    } finally {
      await server.stop();
      removeDir(server.dataDir);
    }
  });
});

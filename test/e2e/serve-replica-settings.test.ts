import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { generateSecret } from '../../src/core/credentials.ts';
import { createTestDatabase, noPostgres } from '../support/databases.ts';
import { type EnvidProcess, removeDir, startEnvid } from '../support/envid-process.ts';
import { copyPgliteTemplate } from '../support/pglite-template.ts';
import { runCli } from '../support/run-cli.ts';
import { titled } from '../support/skip-reason.ts';

vi.setConfig({ testTimeout: 180_000 });

const issuer = 'https://envid.example.com';
const newMasterKey = () => randomBytes(32).toString('base64');

async function discoveredIssuer(server: EnvidProcess): Promise<string> {
  const response = await fetch(`${server.url}/.well-known/openid-configuration`);
  return ((await response.json()) as { issuer: string }).issuer;
}

/** `envid serve` that is expected to refuse before it listens. */
function serveRefused(args: string[], env: NodeJS.ProcessEnv) {
  return runCli(['serve', '--port', '0', '--log-level', 'warn', ...args], {
    ENVID_BOOTSTRAP_TOKEN: generateSecret('installation_admin'),
    ...env,
  });
}

describe.skipIf(noPostgres !== undefined)(titled('replicas on one PostgreSQL database', noPostgres), () => {
  const cleanups: (() => unknown)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('agree on the recorded settings, and one that differs is refused naming the setting', async () => {
    const database = await createTestDatabase();
    cleanups.push(database.drop);
    const masterKey = newMasterKey();
    const env = { ENVID_MASTER_KEY: masterKey, ENVID_ISSUER: issuer };
    const adminToken = generateSecret('installation_admin');
    const [a, b] = await Promise.all(
      [0, 1].map(() => startEnvid({ databaseUrl: database.url, adminToken, env })),
    );
    for (const server of [a!, b!])
      cleanups.push(
        () => removeDir(server.dataDir),
        () => server.stop(),
      );
    expect(await discoveredIssuer(a!)).toBe(issuer);
    expect(await discoveredIssuer(b!)).toBe(issuer);

    const dataDir = mkdtempSync(join(tmpdir(), 'envid-e2e-'));
    cleanups.push(() => removeDir(dataDir));
    const common = ['--data-dir', dataDir, '--database-url', database.url];

    // Without ENVID_ISSUER it would advertise its own address, and its tokens would fail elsewhere.
    const noIssuer = await serveRefused(common, { ENVID_MASTER_KEY: masterKey });
    expect(noIssuer.code).toBe(2);
    expect(noIssuer.stderr).toContain(
      `issuer (--issuer, ENVID_ISSUER): recorded ${issuer}, this server has none and would advertise its own address`,
    );
    expect(noIssuer.stderr).toContain('ENVID_REPLACE_INSTALLATION_SETTINGS=1');
    expect(noIssuer.stdout).not.toContain('listening');

    const otherIssuer = await serveRefused([...common, '--issuer', 'https://other.example.com'], env);
    expect(otherIssuer.stderr).toContain(`recorded ${issuer}, this server https://other.example.com`);

    const otherKey = newMasterKey();
    const wrongKey = await serveRefused(common, { ...env, ENVID_MASTER_KEY: otherKey });
    expect(wrongKey.code).toBe(2);
    expect(wrongKey.stderr).toMatch(
      /master key \(ENVID_MASTER_KEY or <data-dir>\/master-key\): recorded key ID \S+, this server's \S+/,
    );
    expect(wrongKey.stderr).not.toContain(otherKey);
    expect(wrongKey.stderr).not.toContain(masterKey);
    expect(wrongKey.stderr).not.toContain('issuer (');

    const rotation = await serveRefused([...common, '--key-rotation-days', '7'], env);
    expect(rotation.code).toBe(2);
    expect(rotation.stderr).toContain(
      'key rotation period (--key-rotation-days, ENVID_KEY_ROTATION_DAYS): recorded 30, this server 7',
    );
    const bits = await serveRefused([...common, '--key-bits', '3072'], env);
    expect(bits.stderr).toContain('key size (--key-bits, ENVID_KEY_BITS): recorded 2048, this server 3072');

    // Deliberately recorded: the new period is on record, and a server with the old one is now refused.
    const replaced = await startEnvid({
      databaseUrl: database.url,
      adminToken,
      args: ['--key-rotation-days', '7'],
      env: { ...env, ENVID_REPLACE_INSTALLATION_SETTINGS: '1' },
    });
    cleanups.push(
      () => removeDir(replaced.dataDir),
      () => replaced.stop(),
    );
    expect(replaced.output()).toContain("recorded this server's settings in the database");
    const old = await serveRefused(common, env);
    expect(old.stderr).toContain('recorded 7, this server 30');
  });
});

describe('a restarted embedded server', () => {
  const cleanups: (() => unknown)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('is refused when its issuer changed, and starts again with the recorded one', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'envid-e2e-'));
    cleanups.push(() => removeDir(dataDir));
    await copyPgliteTemplate(dataDir);
    const first = await startEnvid({ dataDir, env: { ENVID_ISSUER: issuer } });
    expect(await first.stop()).toBe(0);

    const changed = await serveRefused(['--data-dir', dataDir, '--issuer', 'https://other.example.com'], {});
    expect(changed.code).toBe(2);
    expect(changed.stderr).toContain(`recorded ${issuer}, this server https://other.example.com`);

    const unclear = await serveRefused(['--data-dir', dataDir, '--issuer', 'https://other.example.com'], {
      ENVID_REPLACE_INSTALLATION_SETTINGS: 'yes',
    });
    expect(unclear.code).toBe(2);
    expect(unclear.stderr).toContain('ENVID_REPLACE_INSTALLATION_SETTINGS must be 1');

    const again = await startEnvid({ dataDir, adminToken: first.adminToken, env: { ENVID_ISSUER: issuer } });
    cleanups.push(() => again.stop());
    expect(await discoveredIssuer(again)).toBe(issuer);
  });
});

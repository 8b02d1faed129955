import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { removeDir, startEnvid } from '../support/envid-process.ts';
import { whoAmI } from '../support/who-am-i.ts';

// Each test starts a real server process (or tries to).
vi.setConfig({ testTimeout: 180_000 });

describe('the bootstrap token', () => {
  it('is generated on a fresh installation, printed once and written with mode 0600', async () => {
    const server = await startEnvid({ env: { ENVID_BOOTSTRAP_TOKEN: '' } });
    try {
      const file = join(server.dataDir, 'bootstrap-token');
      const token = readFileSync(file, 'utf8').trim();
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(token).toMatch(/^envid_adm_[A-Za-z0-9_-]{43}$/);
      expect(server.output().split(token).length - 1).toBe(1);
      expect((await whoAmI(server.url, token)).status).toBe(200);
    } finally {
      await server.stop();
      removeDir(server.dataDir);
    }
  });

  it('refuses to start with a malformed ENVID_BOOTSTRAP_TOKEN, naming the variable', async () => {
    await expect(startEnvid({ adminToken: 'short' })).rejects.toThrow(/ENVID_BOOTSTRAP_TOKEN must be/);
  });

  it('refuses a bad flag with a message naming the flag and its variable', async () => {
    // Refused before any database is opened: an empty data directory will do (no template copy).
    const badFlag = (args: string[]) => startEnvid({ args, freshDatabase: true });
    await expect(badFlag(['--port', 'eighty'])).rejects.toThrow(/--port \(ENVID_PORT\): must be a number/);
    await expect(badFlag(['--trust-proxy', 'proxy.example.com'])).rejects.toThrow(
      /--trust-proxy \(ENVID_TRUST_PROXY\): "proxy.example.com" is not an IP address/,
    );
    await expect(badFlag(['--token-rate-limit', '100'])).rejects.toThrow(
      /--token-rate-limit \(ENVID_TOKEN_RATE_LIMIT\): "100" is not <count>\/<seconds>s/,
    );
  });
});

import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type EnvidProcess, envidBin, removeDir, startEnvid } from '../support/envid-process.ts';
import { parsePrometheusText, sampleValue } from '../support/prometheus-text.ts';
import { testRunEnv } from '../support/test-run.ts';
import { waitFor } from '../support/wait-for.ts';
import { whoAmI } from '../support/who-am-i.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const metricsToken = 'e2e-metrics-token-0123456789abcdef';

describe('envid serve --metrics-listen / --metrics-token-file', () => {
  const tokenDir = mkdtempSync(join(tmpdir(), 'envid-metrics-'));
  const tokenFile = join(tokenDir, 'metrics-token');
  let server: EnvidProcess | undefined;
  let metricsUrl = '';

  beforeAll(async () => {
    writeFileSync(tokenFile, `${metricsToken}\n`, { mode: 0o600 });
    server = await startEnvid({
      args: ['--metrics-listen', '127.0.0.1:0', '--metrics-token-file', tokenFile, '--log-level', 'info'],
    });
    const said = () => /envid metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(server!.output());
    await waitFor('the metrics address', () => said() !== null);
    metricsUrl = said()![1]!;
  });

  afterAll(async () => {
    if (server) {
      expect(await server.stop()).toBe(0);
      removeDir(server.dataDir);
    }
    removeDir(tokenDir);
  });

  it('prints and logs the bound metrics address, and a scrape there answers the metrics', async () => {
    // The log line goes through pino's asynchronous writer: it may follow the plain stdout line.
    await waitFor('the metrics log line', () => /"msg":"metrics listening"/.test(server!.output()));
    expect((await whoAmI(server!.url, server!.adminToken)).status).toBe(200);
    const response = await fetch(metricsUrl);
    expect(response.status).toBe(200);
    const text = await response.text();
    const samples = parsePrometheusText(text);
    expect(
      sampleValue(samples, 'envid_http_request_duration_seconds_count', {
        route: 'IdentityService/GetAuthenticatedIdentity',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      samples.some((s) => s.name === 'envid_signing_key_age_seconds' && s.labels.state === 'current'),
    ).toBe(true);
    expect(text).not.toContain(server!.adminToken);
    expect(text).not.toContain(metricsToken);
  });

  it('serves /metrics on the main port only with the token from the file', async () => {
    expect((await fetch(`${server!.url}/metrics`)).status).toBe(401);
    const scraped = await fetch(`${server!.url}/metrics`, {
      headers: { authorization: `Bearer ${metricsToken}` },
    });
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain('envid_id_tokens_total');
  });

  it('logs one line per request at info, without the credential', async () => {
    expect((await whoAmI(server!.url, server!.adminToken)).status).toBe(200);
    await waitFor('the request line', () =>
      server!.output().includes('"route":"IdentityService/GetAuthenticatedIdentity"'),
    );
    const line = server!
      .output()
      .split('\n')
      .find((l) => l.includes('"route":"IdentityService/GetAuthenticatedIdentity"'))!;
    expect(JSON.parse(line)).toMatchObject({
      level: 30,
      msg: 'request',
      method: 'POST',
      principal: 'installation_admin',
      status: 200,
    });
    expect(server!.output()).not.toContain(server!.adminToken);
  });

  const serve = (args: string[]) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'envid-metrics-bad-'));
    try {
      return spawnSync(process.execPath, [envidBin, 'serve', '--port', '0', '--data-dir', dataDir, ...args], {
        env: { ...process.env, ...testRunEnv() },
        encoding: 'utf8',
        timeout: 60_000,
      });
    } finally {
      removeDir(dataDir);
    }
  };

  it('refuses a metrics address that is not host:port, naming the flag', () => {
    const result = serve(['--metrics-listen', '9464']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--metrics-listen (ENVID_METRICS_LISTEN): "9464" is not <host>:<port>');
  });

  it('refuses a token file that is missing or too short, without printing its contents', () => {
    const missing = serve(['--metrics-token-file', join(tokenDir, 'absent')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('--metrics-token-file (ENVID_METRICS_TOKEN_FILE): cannot read');
    expect(missing.stderr).toContain('ENOENT');
    const short = join(tokenDir, 'short');
    writeFileSync(short, 'tiny-secret\n');
    const tooShort = serve(['--metrics-token-file', short]);
    expect(tooShort.status).toBe(2);
    expect(tooShort.stderr).toContain('must hold one token of 16 to 4096 printable characters');
    expect(tooShort.stderr).not.toContain('tiny-secret');
  });
});

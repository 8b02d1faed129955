import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type GoogleStsStandIn, startGoogleStsStandIn } from '../stand-ins/google-sts.ts';
import { setUpEnvironmentThroughApi } from '../support/api-setup.ts';
import { mapConcurrently } from '../support/concurrently.ts';
import { installEnvid } from '../support/envid-on-path.ts';
import { type EnvidProcess, removeDir, startEnvid } from '../support/envid-process.ts';
import { pathWith } from '../support/program-path.ts';
import { runCli } from '../support/run-cli.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

const project = '123456789012';
const pool = 'envid-pool';
const providerName = (id: string) =>
  `projects/${project}/locations/global/workloadIdentityPools/${pool}/providers/${id}`;
const lockedAccount = 'locked@acme-dev.iam.gserviceaccount.com';

/**
 * docs/providers/gcp.md promises an `expected:` line in every Google refusal of `envid idp login gcp`:
 * what Google expected, or what the provider's rule must hold for this token (never the token's own
 * values as if Google had revealed its rule).
 */
describe('envid idp login gcp: every Google refusal says what was expected', () => {
  let server: EnvidProcess;
  let google: GoogleStsStandIn;
  let environmentToken: string;
  const dir = mkdtempSync(join(tmpdir(), 'envid-gcp-explain-'));
  let homes = 0;
  const installedBin = installEnvid(dir);

  beforeAll(async () => {
    server = await startEnvid();
    ({ environmentToken } = await setUpEnvironmentThroughApi(server.url, server.adminToken));
    google = await startGoogleStsStandIn();
    const provider = (id: string, settings: object = {}) =>
      google.providers.set(providerName(id), { name: providerName(id), issuerUri: server.url, ...settings });
    provider('envid-ok');
    provider('envid-condition', { attributeCondition: () => false });
    provider('envid-slash', { issuerUri: `${server.url}/` });
    provider('envid-mapping', { attributeMapping: { 'google.subject': 'assertion.sub == "x"' } });
    google.serviceAccounts.set(lockedAccount, { email: lockedAccount, workloadIdentityUsers: [] });
  });

  afterAll(async () => {
    await google?.close();
    if (server) {
      await server.stop();
      removeDir(server.dataDir);
    }
    removeDir(dir);
  });

  it('attribute condition and mapping, issuer, impersonation and a missing provider: an expected: line each, nothing written', async () => {
    const cases: [string, string, string[], string][] = [
      [
        'attribute condition',
        'envid-condition',
        [],
        "expected: attribute condition true for the token's claims",
      ],
      [
        'google.subject mapped to no string',
        'envid-mapping',
        [],
        'expected: google.subject a CEL expression giving a string, e.g. assertion.sub',
      ],
      [
        'issuer with a trailing slash',
        'envid-slash',
        [],
        `expected: the provider must hold: issuerUri ${server.url} (byte for byte, trailing slash included)`,
      ],
      [
        'service account without the binding',
        'envid-ok',
        ['--service-account', lockedAccount],
        `expected: the IAM policy of service account ${lockedAccount} must hold: binding roles/iam.workloadIdentityUser for principalSet://iam.googleapis.com/projects/${project}/locations/global/workloadIdentityPools/${pool}/*`,
      ],
      [
        'no such provider',
        'envid-missing',
        [],
        `expected: provider ${providerName('envid-missing')}, existing and enabled`,
      ],
    ];
    const runs = await mapConcurrently(cases, 2, async ([, id, extra]) => {
      const HOME = join(dir, `home-${++homes}`);
      mkdirSync(HOME);
      const env = {
        HOME,
        PATH: pathWith(installedBin),
        ENVID_HOST: server.url,
        ENVID_TOKEN: environmentToken,
      };
      const result = await runCli(
        [
          'idp',
          'login',
          'gcp',
          '--workload-identity-provider',
          providerName(id),
          '--sts-endpoint',
          google.tokenUrl,
          '--iam-credentials-endpoint',
          google.url,
          '--no-gcloud',
          ...extra,
        ],
        env,
      );
      return { HOME, result };
    });
    for (const [index, [name, , , expected]] of cases.entries()) {
      const { HOME, result } = runs[index]!;
      expect({ name, code: result.code }).toEqual({ name, code: 3 });
      expect({ name, stderr: result.stderr }).toEqual({ name, stderr: expect.stringContaining(expected) });
      // One expected: line, between the token and the next step.
      expect({ name, lines: result.stderr.match(/^ {2}expected: /gm)?.length }).toEqual({ name, lines: 1 });
      expect(result.stderr).toMatch(/\n {2}token: .*\n {2}expected: .*\n(?: {2}noticed: .*\n)? {2}next: /);
      expect(result.stdout).toBe('');
      expect(existsSync(join(HOME, '.config', 'gcloud'))).toBe(false);
    }
  });
});

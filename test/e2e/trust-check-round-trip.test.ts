import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { addProjectEnvironmentThroughApi, setUpEnvironmentThroughApi } from '../support/api-setup.ts';
import { type EnvidProcess, removeDir, startEnvid } from '../support/envid-process.ts';
import { runCli } from '../support/run-cli.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

interface RoundTrip {
  provider: 'azure' | 'aws' | 'gcp' | 'vault' | 'kubernetes';
  /** The provider's settings for `envid idp trust`. */
  settings: string[];
  /** The provider's own answer to another project's token, and the rule idp check names. */
  code: string;
  rule: RegExp;
}

/**
 * What `envid idp trust <provider> --scope project:<id>` prints, given as it is to `envid idp check
 * <provider> --config`, through the built CLI: accepted for a token of the project, refused for a token
 * of another project of the organization with the provider's code, the rule that holds the project's
 * sub and the first character where the other project's sub differs from it.
 */
const roundTrips: RoundTrip[] = [
  {
    provider: 'azure',
    settings: ['--app-id', '11111111-2222-3333-4444-555555555555'],
    code: 'AADSTS700213',
    rule: /^federated credential ".+" subject$/,
  },
  {
    provider: 'aws',
    settings: ['--account-id', '123456789012', '--role-name', 'dev'],
    code: 'AccessDenied',
    rule: /^Statement\[0\] Condition StringEquals ".+:sub"$/,
  },
  {
    provider: 'gcp',
    settings: ['--project-number', '123456789012'],
    code: 'unauthorized_client',
    rule: /^attributeCondition assertion\.sub ==$/,
  },
  {
    provider: 'vault',
    settings: ['--role', 'dev', '--policy', 'dev-read'],
    code: 'claim "sub" does not match any associated bound claim values',
    // A project's glob: [prefix, prefix:*]; the refusal names the prefix.
    rule: /^role dev bound_claims\.sub$/,
  },
  {
    provider: 'kubernetes',
    settings: ['--cluster-role', 'edit'],
    code: '401 Unauthorized',
    rule: /^.*jwt\[0\]\.claimValidationRules\[0\] expression claims\.sub ==$/,
  },
];

describe('envid idp trust -> envid idp check, through the built CLI', () => {
  let server: EnvidProcess;
  let setup: Awaited<ReturnType<typeof setUpEnvironmentThroughApi>>;
  let other: Awaited<ReturnType<typeof addProjectEnvironmentThroughApi>>;
  const dir = mkdtempSync(join(tmpdir(), 'envid-round-trip-'));

  beforeAll(async () => {
    server = await startEnvid();
    setup = await setUpEnvironmentThroughApi(server.url, server.adminToken);
    other = await addProjectEnvironmentThroughApi(server.url, setup);
  });
  afterAll(async () => {
    if (server) {
      expect(await server.stop()).toBe(0);
      removeDir(server.dataDir);
    }
    removeDir(dir);
  });

  /** The envid CLI as an admin (trust) or in an environment (token). */
  const envid = (args: string[], token: string, input?: string) =>
    runCli(
      args,
      { HOME: '/nonexistent', ENVID_HOST: server.url, ENVID_TOKEN: token },
      input === undefined ? {} : { input },
    );
  const tokenFor = async (environmentToken: string, audience: string) => {
    const result = await envid(['idp', 'token', '--audience', audience], environmentToken);
    expect(result.stderr).toBe('');
    return result.stdout.trim();
  };
  const subOf = (token: string) =>
    JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sub as string;

  it.each(roundTrips)('$provider', async ({ provider, settings, code, rule }) => {
    const printed = await envid(
      ['idp', 'trust', provider, '--scope', `project:${setup.projectId}`, ...settings],
      setup.pat,
    );
    expect(printed.code).toBe(0);
    const envelope = JSON.parse(printed.stdout) as { audience: string };
    const config = join(dir, `${provider}-trust.json`);
    writeFileSync(config, printed.stdout);
    const check = (token: string, json = false) =>
      envid(
        ['idp', 'check', provider, '--config', config, '--token-file', '-', ...(json ? ['--json'] : [])],
        setup.pat,
        token,
      );

    const ours = await tokenFor(setup.environmentToken, envelope.audience);
    const accepted = await check(ours);
    expect(accepted.stdout).toMatch(/^accepted: /);
    expect(accepted.code).toBe(0);

    const theirs = await tokenFor(other.environmentToken, envelope.audience);
    const refused = await check(theirs);
    expect(refused.stdout).toMatch(/^refused: /);
    expect(refused.stdout).toMatch(
      /\n {2}rule: {2}.+\n {2}holds: .+\n {2}token: .+\n +\^ first difference at index \d+/,
    );
    expect(refused.code).toBe(3);

    const verdict = JSON.parse((await check(theirs, true)).stdout);
    const [ourSub, theirSub] = [subOf(ours), subOf(theirs)];
    // The subs share the organization and differ in the project ID.
    const differsAt = [...ourSub].findIndex((character, index) => character !== theirSub[index]);
    expect(differsAt).toBeGreaterThan(`organization_id:${setup.organizationId}:project_id:`.length - 1);
    expect(verdict).toMatchObject({
      relyingParty: provider,
      accepted: false,
      code,
      rule: expect.stringMatching(rule),
      ruleValue: ourSub,
      tokenValue: theirSub,
      differsAt,
    });
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type CheckTokenSource, startCheckTokenSource } from '../support/check-tokens.ts';
import { removeDir } from '../support/envid-process.ts';
import { claimsOf } from '../support/jwt-parts.ts';
import { runCli } from '../support/run-cli.ts';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

describe('envid idp check through the built CLI', () => {
  let tokens: CheckTokenSource;
  let environmentToken: string;
  const dir = mkdtempSync(join(tmpdir(), 'envid-check-'));
  const file = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };

  beforeAll(async () => {
    tokens = await startCheckTokenSource();
    environmentToken = await tokens.token('sts.amazonaws.com');
  });
  afterAll(async () => {
    await tokens?.stop();
    removeDir(dir);
  });

  it('fetches a token from envid and answers accepted (exit 0) for flags that match it', async () => {
    const { iss, sub } = claimsOf(environmentToken);
    const result = await runCli(['idp', 'check', 'aws', '--issuer', iss, '--subject', sub], {
      ENVID_HOST: tokens.server.url,
      ENVID_TOKEN: tokens.setup.environmentToken,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^accepted: AWS STS would accept this token \(statement Statement\[0\]\)/);
  });

  it('reads an IAM trust policy, explains the refusal with a caret at the first difference, and exits 3', async () => {
    const { iss, sub } = claimsOf(environmentToken);
    const name = iss.replace(/^https?:\/\//, '');
    const policy = file('trust-policy.json', {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${name}` },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: { [`${name}:aud`]: 'sts.amazonaws.com' },
            StringLike: { [`${name}:sub`]: `${sub.slice(0, 30)}X*` },
          },
        },
      ],
    });
    const result = await runCli(
      ['idp', 'check', 'aws', '--config', policy, '--token-file', '-'],
      {},
      { input: environmentToken },
    );
    expect(result.code).toBe(3);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(
      'refused: AWS STS would answer AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity',
    );
    expect(lines[1]).toBe(`  rule:  Statement[0] Condition StringLike "${name}:sub"`);
    expect(lines[2]).toBe(`  holds: ${sub.slice(0, 30)}X*`);
    expect(lines[3]).toBe(`  token: ${sub}`);
    expect(lines[4]).toBe(`         ${' '.repeat(30)}^ first difference at index 30`);
    expect(result.stdout).toContain('fix:');

    const json = await runCli(
      ['idp', 'check', 'aws', '--config', policy, '--token-file', '-', '--json'],
      {},
      { input: environmentToken },
    );
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toMatchObject({
      relyingParty: 'aws',
      accepted: false,
      code: 'AccessDenied',
      ruleValue: `${sub.slice(0, 30)}X*`,
      tokenValue: sub,
      differsAt: 30,
    });
  });

  it('reads YAML and `vault read` output from two --config files', async () => {
    const token = await tokens.token('vault.hashicorp.com');
    const { iss, sub } = claimsOf(token);
    const config = file('config.yaml', `data:\n  oidc_discovery_url: ${iss}\n`);
    const role = file('role.json', {
      data: {
        role_type: 'jwt',
        user_claim: 'sub',
        bound_audiences: ['vault.hashicorp.com'],
        bound_subject: sub,
      },
    });
    const tokenFile = file('token.jwt', `${token}\n`);
    const result = await runCli(
      ['idp', 'check', 'vault', '--config', config, '--config', role, '--token-file', tokenFile],
      {},
    );
    expect(result.stdout).toMatch(/^accepted: Vault would accept this token/);
    expect(result.code).toBe(0);
  });

  it('refuses the output of `envid idp trust` for another provider (exit 2), naming both', async () => {
    const envelope = file('gcp-trust.json', {
      relyingParty: 'gcp',
      scope: 'project',
      issuer: 'https://envid.example.com',
      audience: 'x',
      subjectPrefix: 'organization_id:',
      documents: {},
      commands: [],
      warnings: [],
    });
    const result = await runCli(
      ['idp', 'check', 'azure', '--config', envelope, '--token-file', '-'],
      {},
      { input: environmentToken },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'is the output of `envid idp trust gcp`; this is `envid idp check azure`',
    );
    expect(result.stdout).toBe('');
  });

  it('names the field of a malformed document and the file that is not a JWT (exit 2)', async () => {
    const credentials = file('fic.json', [
      { name: 'dev', issuer: 'https://x', audiences: ['api://AzureADTokenExchange'] },
    ]);
    const bad = await runCli(
      ['idp', 'check', 'azure', '--config', credentials, '--token-file', '-'],
      {},
      { input: environmentToken },
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('credential 1: subject must be a non-empty string');
    const notJwt = file('not-a-jwt', 'hello');
    const result = await runCli(
      ['idp', 'check', 'azure', '--config', credentials, '--token-file', notJwt],
      {},
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`the token in ${notJwt} is not a JWT`);
  });
});

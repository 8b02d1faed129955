import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { awsTrustCheck } from '../../src/relying-parties/aws/check.ts';
import {
  checkOidcProviderUrl,
  oidcProviderFromInput,
  type StsStandIn,
  type StsTrustCondition,
  startStsStandIn,
} from '../stand-ins/aws-sts.ts';
import {
  type CheckTokenSource,
  runTrustCheck,
  secondsPastExpiry,
  startCheckTokenSource,
  type TokenPrincipal,
} from '../support/check-tokens.ts';
import { claimsOf } from '../support/jwt-parts.ts';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

const audience = 'sts.amazonaws.com';
const roleArn = 'arn:aws:iam::123456789012:role/dev';

interface AwsCase {
  name: string;
  principal?: TokenPrincipal;
  /** The IAM OIDC provider's URL, from the token's iss. */
  providerUrl?: (iss: string) => string;
  clientIds?: string[];
  conditions: (sub: string) => StsTrustCondition[];
  expired?: boolean;
  /** undefined: accepted; else STS's error code. */
  refusal?: string;
}

const condition = (
  claim: 'sub' | 'aud',
  operator: 'StringEquals' | 'StringLike',
  values: string[],
): StsTrustCondition => ({ claim, operator, values });
const audOk = condition('aud', 'StringEquals', [audience]);

/** STS's and IAM's documented rules (docs/providers/aws.md): each case runs through idp check and the stand-in. */
const cases: AwsCase[] = [
  {
    name: 'StringEquals on the exact sub',
    conditions: (sub) => [condition('sub', 'StringEquals', [sub]), audOk],
  },
  {
    name: 'sub in another case',
    conditions: (sub) => [condition('sub', 'StringEquals', [sub.toUpperCase()]), audOk],
    refusal: 'AccessDenied',
  },
  {
    name: 'StringLike with a * prefix',
    conditions: (sub) => [condition('sub', 'StringLike', [`${sub.split(':project_id:')[0]}:*`]), audOk],
  },
  {
    name: 'StringLike with ? for one character',
    conditions: (sub) => [condition('sub', 'StringLike', [`${sub.slice(0, 20)}?${sub.slice(21)}`]), audOk],
  },
  {
    name: 'StringLike of another organization',
    conditions: () => [condition('sub', 'StringLike', ['organization_id:00000000-*']), audOk],
    refusal: 'AccessDenied',
  },
  {
    name: 'a user token for a role bound to an environment',
    principal: 'user',
    conditions: () => [condition('sub', 'StringLike', ['*:environment_id:*']), audOk],
    refusal: 'AccessDenied',
  },
  {
    name: 'provider URL with a trailing slash',
    providerUrl: (iss) => `${iss}/`,
    conditions: (sub) => [condition('sub', 'StringEquals', [sub]), audOk],
    refusal: 'InvalidIdentityToken',
  },
  {
    name: 'aud not among the provider’s client IDs',
    clientIds: ['https://example.com/other'],
    conditions: (sub) => [condition('sub', 'StringEquals', [sub])],
    refusal: 'InvalidIdentityToken',
  },
  {
    name: 'aud condition of another audience',
    conditions: (sub) => [
      condition('sub', 'StringEquals', [sub]),
      condition('aud', 'StringEquals', ['other']),
    ],
    refusal: 'AccessDenied',
  },
  {
    name: 'expired',
    conditions: (sub) => [condition('sub', 'StringEquals', [sub]), audOk],
    expired: true,
    refusal: 'ExpiredTokenException',
  },
];

/** The role's trust policy and the IAM OIDC provider as IAM prints them (`get-role`, `get-open-id-connect-provider`). */
function iamDocuments(providerUrl: string, clientIds: string[], conditions: StsTrustCondition[]) {
  const name = providerUrl.replace(/^https?:\/\//, '');
  const blocks: Record<string, Record<string, string[]>> = {};
  for (const { operator, claim, values } of conditions) {
    blocks[operator] = { ...blocks[operator], [`${name}:${claim}`]: values };
  }
  return [
    {
      Role: {
        RoleName: 'dev',
        Arn: roleArn,
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${name}` },
              Action: 'sts:AssumeRoleWithWebIdentity',
              Condition: blocks,
            },
          ],
        },
      },
    },
    { Url: name, ClientIDList: clientIds, ThumbprintList: [] },
  ];
}

async function assumeRole(sts: StsStandIn, token: string): Promise<string | undefined> {
  const response = await fetch(sts.url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      Action: 'AssumeRoleWithWebIdentity',
      Version: '2011-06-15',
      RoleArn: roleArn,
      RoleSessionName: 'check',
      WebIdentityToken: token,
    }),
  });
  const xml = await response.text();
  return response.ok ? undefined : /<Code>([^<]+)<\/Code>/.exec(xml)?.[1];
}

describe('envid idp check aws agrees with the STS stand-in', () => {
  let tokens: CheckTokenSource;
  let sts: StsStandIn;

  beforeAll(async () => {
    tokens = await startCheckTokenSource();
    sts = await startStsStandIn();
  });
  afterAll(async () => {
    await sts?.close();
    await tokens?.stop();
  });

  it.each(cases)('$name', async (testCase) => {
    const token = await tokens.token(audience, testCase.principal);
    const { iss, sub } = claimsOf(token);
    const providerUrl = testCase.providerUrl?.(iss) ?? iss;
    const clientIds = testCase.clientIds ?? [audience];
    const conditions = testCase.conditions(sub);
    const offset = testCase.expired ? secondsPastExpiry(token) : 0;

    const verdict = runTrustCheck(
      awsTrustCheck,
      token,
      { documents: iamDocuments(providerUrl, clientIds, conditions) },
      Math.floor(Date.now() / 1000) + offset,
    );
    sts.providers.splice(0, Infinity, { url: providerUrl, clientIds });
    sts.roles.splice(0, Infinity, { arn: roleArn, trustedIssuer: providerUrl, conditions });
    sts.clockOffsetSeconds = offset;
    const code = await assumeRole(sts, token);

    expect(code).toBe(testCase.refusal);
    expect(verdict.accepted ? undefined : verdict.code).toBe(testCase.refusal);
  });

  it('reads the OIDC provider as create-open-id-connect-provider takes it (with the scheme), as STS does', async () => {
    const token = await tokens.token(audience);
    const { iss, sub } = claimsOf(token);
    // What `envid idp trust aws` prints as documents.openIdConnectProvider: the issuer with its scheme.
    const input = { Url: iss, ClientIDList: [audience] };
    const conditions = [condition('sub', 'StringEquals', [sub]), audOk];
    const [policy] = iamDocuments(iss, [audience], conditions);
    const verdict = runTrustCheck(awsTrustCheck, token, { documents: [policy, input] });
    sts.providers.splice(0, Infinity, oidcProviderFromInput(input));
    sts.roles.splice(0, Infinity, { arn: roleArn, trustedIssuer: iss, conditions });
    sts.clockOffsetSeconds = 0;
    expect(await assumeRole(sts, token)).toBeUndefined();
    expect(verdict).toMatchObject({ accepted: true });
  });

  it('shows where a StringLike pattern’s literal part first differs from the sub', async () => {
    const token = await tokens.token(audience);
    const { iss, sub } = claimsOf(token);
    const prefix = `${sub.slice(0, 30)}x`;
    const verdict = runTrustCheck(awsTrustCheck, token, { flags: { issuer: iss, subjectPrefix: prefix } });
    expect(verdict).toMatchObject({
      accepted: false,
      code: 'AccessDenied',
      ruleValue: `${prefix}*`,
      tokenValue: sub,
      differsAt: 30,
    });
  });

  it('refuses a condition operator it cannot evaluate, naming it', async () => {
    const token = await tokens.token(audience);
    const policy = {
      Version: '2012-10-17',
      Statement: {
        Effect: 'Allow',
        Principal: { Federated: 'arn:aws:iam::123456789012:oidc-provider/x' },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { NumericLessThan: { 'x:sub': ['1'] } },
      },
    };
    expect(() => runTrustCheck(awsTrustCheck, token, { documents: [policy] })).toThrow(
      /Condition operator NumericLessThan is not one idp check evaluates/,
    );
  });
});

describe('envid idp check aws: an issuer with a port', () => {
  let tokens: CheckTokenSource;
  let sts: StsStandIn;
  const issuer = 'https://envid.example.com:8443';

  beforeAll(async () => {
    tokens = await startCheckTokenSource({ args: ['--issuer', issuer] });
    sts = await startStsStandIn();
  });
  afterAll(async () => {
    await sts?.close();
    await tokens?.stop();
  });

  it('is refused by both: IAM holds no provider URL with a port, so STS finds none for iss', async () => {
    const token = await tokens.token(audience);
    const { iss, sub } = claimsOf(token);
    expect(iss).toBe(issuer);
    expect(() => checkOidcProviderUrl(issuer)).toThrow(/port/);
    // The closest provider IAM can hold: the same host without the port.
    sts.providers.push({ url: 'https://envid.example.com', clientIds: [audience] });
    sts.roles.push({
      arn: roleArn,
      trustedIssuer: 'https://envid.example.com',
      conditions: [condition('sub', 'StringEquals', [sub])],
    });
    expect(await assumeRole(sts, token)).toBe('InvalidIdentityToken');
    const verdict = runTrustCheck(awsTrustCheck, token, { flags: { issuer, subject: sub } });
    expect(verdict).toMatchObject({
      accepted: false,
      code: 'InvalidIdentityToken',
      rule: 'IAM OIDC provider URL',
    });
    expect(verdict.reason).toMatch(/holds no port \(iss has :8443\)/);
  });
});

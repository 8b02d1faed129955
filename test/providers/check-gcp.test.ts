import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { googleTrustCheck } from '../../src/relying-parties/gcp/check.ts';
import {
  type GoogleStsStandIn,
  providerFromDocument,
  startGoogleStsStandIn,
} from '../stand-ins/google-sts.ts';
import {
  type CheckTokenSource,
  runTrustCheck,
  secondsPastExpiry,
  startCheckTokenSource,
  type TokenPrincipal,
} from '../support/check-tokens.ts';
import { claimsOf } from '../support/jwt-parts.ts';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

const name = 'projects/123456789012/locations/global/workloadIdentityPools/envid/providers/envid';
const audience = `//iam.googleapis.com/${name}`;

interface GoogleCase {
  name: string;
  /** The user's sub fits google.subject's 127 bytes; the environment's (three IDs) does not. */
  principal?: TokenPrincipal;
  issuerUri?: (iss: string) => string;
  allowedAudiences?: string[];
  /** The attribute mapping (default `google.subject=assertion.sub`), CEL over `assertion`. */
  mapping?: Record<string, string>;
  /** The attribute condition, CEL over `assertion`, `google` and `attribute`. */
  condition?: (claims: Record<string, string>) => string;
  disabled?: boolean;
  expired?: boolean;
  /** undefined: accepted; else Google STS's error. */
  refusal?: string;
}

const cel = JSON.stringify;
/** What `envid idp trust gcp` maps google.subject to past 127 bytes: the sub's default keys. */
const defaultKeys = `'organization_id:' + assertion.organization_id + ':project_id:' + assertion.project_id`;

/** Google's documented rules (docs/providers/gcp.md): each case runs through idp check and the stand-in. */
const cases: GoogleCase[] = [
  { name: 'the provider’s own resource name as audience', principal: 'user' },
  {
    name: 'an allowed audience the token does not have',
    principal: 'user',
    allowedAudiences: ['https://example.com/envid'],
    refusal: 'invalid_grant',
  },
  {
    name: 'issuerUri with a trailing slash',
    principal: 'user',
    issuerUri: (iss) => `${iss}/`,
    refusal: 'invalid_grant',
  },
  {
    name: 'attribute condition on the exact sub',
    principal: 'user',
    condition: ({ sub }) => `assertion.sub == ${cel(sub)}`,
  },
  {
    name: 'attribute condition on the sub in another case',
    principal: 'user',
    condition: ({ sub }) => `assertion.sub == ${cel(sub!.toUpperCase())}`,
    refusal: 'unauthorized_client',
  },
  {
    name: 'attribute condition on another organization’s prefix',
    principal: 'user',
    condition: () => 'assertion.sub.startsWith("organization_id:00000000-")',
    refusal: 'unauthorized_client',
  },
  {
    name: 'attribute condition on a mapped attribute',
    principal: 'user',
    mapping: { 'google.subject': 'assertion.sub', 'attribute.organization_id': 'assertion.organization_id' },
    condition: ({ organization_id }) => `attribute.organization_id == ${cel(organization_id)}`,
  },
  {
    name: 'attribute condition on google.subject',
    principal: 'user',
    condition: ({ sub }) => `google.subject == ${cel(`${sub}:x`)}`,
    refusal: 'unauthorized_client',
  },
  {
    name: 'google.subject mapped to a boolean',
    principal: 'user',
    mapping: { 'google.subject': 'assertion.sub == "x"' },
    refusal: 'unauthorized_client',
  },
  {
    name: 'google.subject mapped from a claim the token lacks',
    principal: 'user',
    mapping: { 'google.subject': 'assertion.team' },
    refusal: 'unauthorized_client',
  },
  {
    name: 'attribute condition on the time claims',
    principal: 'user',
    condition: () => 'assertion.exp - assertion.iat <= 3600.0 && assertion.iat > 0',
  },
  {
    // JSON numbers are CEL doubles: double + int has no overload, the condition fails to evaluate.
    name: 'attribute condition adding an int to a JSON number',
    principal: 'user',
    condition: () => 'assertion.iat + 1 > 0',
    refusal: 'unauthorized_client',
  },
  { name: 'a disabled provider', principal: 'user', disabled: true, refusal: 'invalid_target' },
  { name: 'expired', principal: 'user', expired: true, refusal: 'invalid_grant' },
  // The long sub last: once the organization's sub adds environment_id, every token has it.
  {
    name: 'a sub over 127 bytes mapped to google.subject',
    principal: 'environment-long-sub',
    refusal: 'invalid_grant',
  },
  {
    name: 'a sub over 127 bytes, google.subject mapped from its default keys',
    principal: 'environment-long-sub',
    mapping: { 'google.subject': defaultKeys, 'attribute.project': 'assertion.project_id' },
    condition: ({ sub }) => `assertion.sub == ${cel(sub)}`,
  },
  {
    name: 'a sub over 127 bytes, google.subject from environment_id, a condition on another project',
    principal: 'environment-long-sub',
    mapping: { 'google.subject': 'assertion.environment_id', 'attribute.project': 'assertion.project_id' },
    condition: () => 'attribute.project == "00000000-0000-0000-0000-000000000000"',
    refusal: 'unauthorized_client',
  },
];

describe('envid idp check gcp agrees with the Google STS stand-in', () => {
  let tokens: CheckTokenSource;
  let google: GoogleStsStandIn;

  beforeAll(async () => {
    tokens = await startCheckTokenSource();
    google = await startGoogleStsStandIn();
  });
  afterAll(async () => {
    await google?.close();
    await tokens?.stop();
  });

  it.each(cases)('$name', async (testCase) => {
    const token = await tokens.token(audience, testCase.principal);
    const claims = claimsOf(token);
    const issuerUri = testCase.issuerUri?.(claims.iss) ?? claims.iss;
    const offset = testCase.expired ? secondsPastExpiry(token) : 0;

    // As `gcloud iam workload-identity-pools providers describe … --format=json` prints it.
    const described = {
      name,
      displayName: 'envid',
      state: 'ACTIVE',
      ...(testCase.disabled ? { disabled: true } : {}),
      attributeMapping: testCase.mapping ?? { 'google.subject': 'assertion.sub' },
      ...(testCase.condition ? { attributeCondition: testCase.condition(claims) } : {}),
      oidc: {
        issuerUri,
        ...(testCase.allowedAudiences ? { allowedAudiences: testCase.allowedAudiences } : {}),
      },
    };
    const verdict = runTrustCheck(
      googleTrustCheck,
      token,
      { documents: [described] },
      Math.floor(Date.now() / 1000) + offset,
    );
    // The stand-in loads the same document and evaluates its CEL itself.
    google.providers.set(name, providerFromDocument(described));
    google.clockOffsetSeconds = offset;
    const response = await fetch(google.tokenUrl, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        audience,
        scope: 'https://www.googleapis.com/auth/cloud-platform',
        requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        subject_token: token,
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      }),
    });
    const answer = (await response.json()) as { error?: string };

    expect(response.ok ? undefined : answer.error).toBe(testCase.refusal);
    expect(verdict.accepted ? undefined : verdict.code).toBe(testCase.refusal);
    if (verdict.accepted) {
      // Both name the same federated principal.
      expect(google.issued.at(-1)!.principal).toBe(verdict.identity!['principal']);
    }
  });

  it('accepts the long sub once google.subject maps a shorter claim, and names the principal', async () => {
    const token = await tokens.token(audience, 'environment-long-sub');
    const { iss, environment_id: environmentId } = claimsOf(token);
    const verdict = runTrustCheck(googleTrustCheck, token, {
      documents: [
        {
          name,
          attributeMapping: {
            'google.subject': 'assertion.environment_id',
            'attribute.project': 'assertion.project_id',
          },
          attributeCondition: `attribute.project == ${JSON.stringify(claimsOf(token).project_id)}`,
          oidc: { issuerUri: iss },
        },
      ],
    });
    expect(verdict).toMatchObject({
      accepted: true,
      identity: {
        'google.subject': environmentId,
        principal: `principal://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/envid/subject/${environmentId}`,
      },
    });
  });

  it('says how many bytes google.subject would hold', async () => {
    const token = await tokens.token(audience, 'environment-long-sub');
    const { iss, sub } = claimsOf(token);
    const verdict = runTrustCheck(googleTrustCheck, token, { flags: { issuer: iss, audience } });
    expect(verdict).toMatchObject({ accepted: false, ruleValue: 'at most 127 bytes' });
    expect(verdict.tokenValue).toBe(`${Buffer.byteLength(sub)} bytes: ${sub}`);
  });

  it('shows the literal and the value of a failed attribute condition, with the first difference', async () => {
    const token = await tokens.token(audience, 'user');
    const { iss, sub } = claimsOf(token);
    const verdict = runTrustCheck(googleTrustCheck, token, {
      flags: { issuer: iss, audience, subject: `${sub.slice(0, 40)}Z` },
    });
    expect(verdict).toMatchObject({
      code: 'unauthorized_client',
      rule: 'attributeCondition assertion.sub ==',
      ruleValue: `${sub.slice(0, 40)}Z`,
      tokenValue: sub,
      differsAt: 40,
    });
  });
});

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { kubernetesTrustCheck } from '../../src/relying-parties/kubernetes/check.ts';
import {
  type CheckTokenSource,
  runTrustCheck,
  secondsPastExpiry,
  startCheckTokenSource,
} from '../support/check-tokens.ts';
import { claimsOf } from '../support/jwt-parts.ts';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

const audience = 'kubernetes';

/** An AuthenticationConfiguration as a kube-apiserver's --authentication-config file holds it (YAML). */
const configuration = (iss: string, jwt: string) => `apiVersion: apiserver.config.k8s.io/v1
kind: AuthenticationConfiguration
jwt:
  - issuer:
      url: ${JSON.stringify(iss)}
      audiences: [${JSON.stringify(audience)}]
${jwt}`;

const mappings = `    claimMappings:
      username:
        claim: sub
        prefix: "envid:"
      groups:
        expression: '["envid-project:" + claims.project_id]'
`;

interface KubernetesCase {
  name: string;
  yaml: (iss: string, sub: string, projectId: string) => string;
  expired?: boolean;
  /** undefined: accepted; else the words of the API server's log. */
  refusal?: RegExp;
}

/** The API server's documented rules for structured authentication (kube-apiserver --authentication-config). */
const cases: KubernetesCase[] = [
  { name: 'issuer, audience and mappings', yaml: (iss) => configuration(iss, mappings) },
  {
    name: 'a CEL claim validation rule that holds',
    yaml: (iss, _sub, projectId) =>
      configuration(
        iss,
        `    claimValidationRules:
      - expression: 'claims.project_id == ${JSON.stringify(projectId)}'
        message: only this project
${mappings}`,
      ),
  },
  {
    name: 'a CEL claim validation rule that fails',
    yaml: (iss) =>
      configuration(
        iss,
        `    claimValidationRules:
      - expression: 'claims.sub.startsWith("organization_id:00000000-")'
        message: only the platform organization
${mappings}`,
      ),
    refusal: /claim validation expression failed: only the platform organization/,
  },
  {
    name: 'a required claim value in another case',
    yaml: (iss, sub) =>
      configuration(
        iss,
        `    claimValidationRules:
      - claim: sub
        requiredValue: ${JSON.stringify(sub.toUpperCase())}
${mappings}`,
      ),
    refusal: /required claim sub value does not match/,
  },
  {
    name: 'issuer url with a trailing slash',
    yaml: (iss) => configuration(`${iss}/`, mappings),
    refusal: /no JWT authenticator has the token’s issuer/,
  },
  {
    name: 'another audience',
    yaml: (iss) =>
      configuration(iss, mappings).replace(
        `[${JSON.stringify(audience)}]`,
        '["https://kubernetes.default.svc"]',
      ),
    refusal: /expected audience/,
  },
  {
    name: 'a username claim the token lacks',
    yaml: (iss) => configuration(iss, mappings.replace('claim: sub', 'claim: email')),
    refusal: /claim not present: email/,
  },
  {
    name: 'a user validation rule that fails',
    yaml: (iss) =>
      configuration(
        iss,
        `${mappings}    userValidationRules:
      - expression: '!user.username.startsWith("envid:organization_id:")'
        message: no envid principals
`,
      ),
    refusal: /user validation rule failed: no envid principals/,
  },
  {
    name: 'expired',
    yaml: (iss) => configuration(iss, mappings),
    expired: true,
    refusal: /token is expired/,
  },
];

describe('envid idp check kubernetes: the API server’s structured authentication rules', () => {
  let tokens: CheckTokenSource;

  beforeAll(async () => {
    tokens = await startCheckTokenSource();
  });
  afterAll(async () => {
    await tokens?.stop();
  });

  it.each(cases)('$name', async (testCase) => {
    const token = await tokens.token(audience);
    const { iss, sub, project_id: projectId } = claimsOf(token);
    const offset = testCase.expired ? secondsPastExpiry(token) : 0;
    const verdict = runTrustCheck(
      kubernetesTrustCheck,
      token,
      { documents: [testCase.yaml(iss, sub, projectId)] },
      Math.floor(Date.now() / 1000) + offset,
    );
    if (testCase.refusal === undefined) {
      expect(verdict).toMatchObject({
        accepted: true,
        identity: { username: `envid:${sub}`, groups: [`envid-project:${projectId}`] },
      });
    } else {
      expect(verdict).toMatchObject({ accepted: false, code: '401 Unauthorized' });
      expect(verdict.reason).toMatch(testCase.refusal);
    }
  });

  it('shows a required value’s first difference from the claim', async () => {
    const token = await tokens.token(audience);
    const { iss, sub } = claimsOf(token);
    const wrong = `${sub.slice(0, 25)}X${sub.slice(26)}`;
    const verdict = runTrustCheck(kubernetesTrustCheck, token, {
      flags: { issuer: iss, audience, subject: wrong },
    });
    expect(verdict).toMatchObject({ ruleValue: wrong, tokenValue: sub, differsAt: 25 });
  });

  it('refuses a configuration with several audiences but no MatchAny, naming the field', async () => {
    const token = await tokens.token(audience);
    const yaml = configuration(claimsOf(token).iss, mappings).replace(
      `[${JSON.stringify(audience)}]`,
      '[a, b]',
    );
    expect(() => runTrustCheck(kubernetesTrustCheck, token, { documents: [yaml] })).toThrow(
      /issuer.audienceMatchPolicy must be MatchAny/,
    );
  });
});

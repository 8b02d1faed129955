import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { kubernetesTrustCheck } from '../../src/relying-parties/kubernetes/check.ts';
import {
  type KubernetesApiStandIn,
  loadAuthenticationConfiguration,
  startKubernetesApiStandIn,
} from '../stand-ins/kubernetes-api.ts';
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
  /** undefined: accepted; else the words of idp check's reason (the API server's log line). */
  refusal?: RegExp;
}

/**
 * The API server's documented rules for structured authentication (kube-apiserver
 * --authentication-config): each case runs through idp check and the stand-in API server, which answer
 * the same (SelfSubjectReview 201 as the same user, or 401). Two documented features the stand-in
 * cannot load, so no case here has them: issuer.discoveryURL (the stand-in fetches discovery from
 * issuer.url only) and CEL's optional syntax `claims.?x` (cel-es parses none: idp check says it cannot
 * evaluate it, below, where the API server would).
 */
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
    name: 'a required claim value of the exact sub',
    yaml: (iss, sub) =>
      configuration(
        iss,
        `    claimValidationRules:
      - claim: sub
        requiredValue: ${JSON.stringify(sub)}
${mappings}`,
      ),
  },
  {
    name: 'a CEL rule on the organization prefix that holds',
    yaml: (iss, sub) =>
      configuration(
        iss,
        `    claimValidationRules:
      - expression: 'claims.sub.startsWith(${JSON.stringify(`${sub.split(':project_id:')[0]}:`)})'
        message: only this organization
${mappings}`,
      ),
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

/** `kubectl auth whoami`'s request: the user the stand-in authenticated, or undefined for its 401. */
async function whoami(cluster: KubernetesApiStandIn, token: string) {
  const response = await fetch(`${cluster.url}/apis/authentication.k8s.io/v1/selfsubjectreviews`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
  });
  const body = (await response.json()) as { status?: { userInfo?: { username: string; groups: string[] } } };
  if (response.status === 401) return undefined;
  expect(response.status).toBe(201);
  return body.status!.userInfo!;
}

describe('envid idp check kubernetes agrees with the stand-in API server', () => {
  let tokens: CheckTokenSource;
  let cluster: KubernetesApiStandIn;

  beforeAll(async () => {
    tokens = await startCheckTokenSource();
    const iss = claimsOf(await tokens.token(audience)).iss;
    cluster = await startKubernetesApiStandIn({ configuration: configuration(iss, mappings) });
  });
  afterAll(async () => {
    await cluster?.close();
    await tokens?.stop();
  });

  it.each(cases)('$name', async (testCase) => {
    const token = await tokens.token(audience);
    const { iss, sub, project_id: projectId } = claimsOf(token);
    const offset = testCase.expired ? secondsPastExpiry(token) : 0;
    const yaml = testCase.yaml(iss, sub, projectId);
    const verdict = runTrustCheck(
      kubernetesTrustCheck,
      token,
      { documents: [yaml] },
      Math.floor(Date.now() / 1000) + offset,
    );
    cluster.configure(yaml);
    cluster.clockOffsetSeconds = offset;
    const user = await whoami(cluster, token);

    if (testCase.refusal === undefined) {
      const identity = { username: `envid:${sub}`, groups: [`envid-project:${projectId}`] };
      expect(verdict).toMatchObject({ accepted: true, identity });
      // The API server adds system:authenticated to every authenticated user.
      expect(user).toEqual({ ...identity, groups: [...identity.groups, 'system:authenticated'] });
    } else {
      expect(verdict).toMatchObject({ accepted: false, code: '401 Unauthorized' });
      expect(verdict.reason).toMatch(testCase.refusal);
      expect(user).toBeUndefined();
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

  it('refuses a configuration whose CEL does not compile, as the API server refuses to load it', async () => {
    const token = await tokens.token(audience);
    const yaml = configuration(
      claimsOf(token).iss,
      `    claimValidationRules:
      - expression: 'claims.sub =='
${mappings}`,
    );
    expect(() => loadAuthenticationConfiguration(yaml)).toThrow(/jwt\[0\]: compilation failed/);
    expect(() => runTrustCheck(kubernetesTrustCheck, token, { documents: [yaml] })).toThrow(
      /jwt\[0\]: claimValidationRules\[0\]\.expression does not compile, so the API server refuses this configuration/,
    );
  });

  it('says it cannot evaluate CEL optional syntax, which the API server takes', async () => {
    const token = await tokens.token(audience);
    const yaml = configuration(claimsOf(token).iss, mappings).replace(
      'expression: \'["envid-project:" + claims.project_id]\'',
      "expression: 'claims.?groups.orValue([])'",
    );
    expect(yaml).toContain('claims.?groups');
    expect(() => runTrustCheck(kubernetesTrustCheck, token, { documents: [yaml] })).toThrow(
      /claimMappings\.groups\.expression does not compile.*CEL optional syntax \(\.\? or \[\?\) is not one envid evaluates/,
    );
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

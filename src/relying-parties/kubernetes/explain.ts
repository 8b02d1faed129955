import { readTokenFacts } from '../support/explain-error.ts';
import { kubernetesTokenProblems } from './rules.ts';

/** What an API server's refusal of the login's SelfSubjectReview means and what to do, for support/explain-error.ts. */
export interface KubernetesRefusalExplanation {
  code: string;
  meaning: string;
  /** What the cluster's rules must hold for this token (the API server never says what it holds). */
  expected: Record<string, string | undefined>;
  nextStep: string;
  noticed: string[];
}

const setUpTrust = 'docs/providers/kubernetes.md, "Setting up trust"';

/** Explains the answers a kube-apiserver gives a SelfSubjectReview with a bearer token. */
export function explainKubernetesRefusal(
  status: number,
  token: string,
  context: { server: string; audience: string },
): KubernetesRefusalExplanation {
  const facts = readTokenFacts(token);
  const noticed = kubernetesTokenProblems(token);
  if (status === 401) {
    return {
      code: 'HTTP 401 Unauthorized',
      meaning:
        'no authenticator of the API server accepted the token; Kubernetes gives the reason only in the API server’s log (issuer, audience, signature, a claimValidationRule, the username mapping or a userValidationRule)',
      expected: {
        'issuer.url': `${facts.iss} exactly`,
        'issuer.audiences': `must include ${context.audience}`,
        claimValidationRules: 'must all hold for this token’s claims',
        'claimMappings.username': 'must give a non-empty username',
      },
      nextStep: `run \`envid idp check kubernetes --audience ${context.audience} --config <the cluster's AuthenticationConfiguration>\` (kube-apiserver --authentication-config): it names the rule that refuses the token; see ${setUpTrust}; the API server reaches envid's discovery and JWKS itself, so check that too`,
      noticed,
    };
  }
  if (status === 404) {
    return {
      code: 'HTTP 404 Not Found',
      meaning: `${context.server} serves no SelfSubjectReview API (Kubernetes 1.27+ serves it), so it may not be a Kubernetes API server`,
      expected: { server: 'the API server URL, as in `kubectl cluster-info`' },
      nextStep: 'check --server',
      noticed,
    };
  }
  return {
    code: `HTTP ${status}`,
    meaning: 'the API server did not answer the SelfSubjectReview as expected',
    expected: {},
    nextStep: `try \`kubectl auth whoami -v=8\` against ${context.server}; see ${setUpTrust}`,
    noticed,
  };
}

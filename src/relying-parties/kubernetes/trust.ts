import { usageError } from '../../shared/exit-codes.ts';
import { shellQuote } from '../../shared/shell-quote.ts';
import type { RelyingPartyOption, RelyingPartyTrust } from '../relying-party.ts';
import { celSubjectRule } from '../support/cel-subject-rule.ts';
import {
  describeScope,
  scopeSlug,
  type TrustEnvelope,
  type TrustPlan,
  trustEnvelope,
} from '../trust-plan.ts';
import { defaultKubernetesAudience } from './rules.ts';

export const kubernetesTrustOptions: readonly RelyingPartyOption[] = [
  { flags: '--cluster-role <name>', description: 'the ClusterRole to bind (default: view)' },
  {
    flags: '--audience <aud>',
    description: `aud of the tokens (default: ${defaultKubernetesAudience})`,
  },
];

/** Usernames and groups from envid tokens carry this prefix, so they never collide with the cluster's others. */
export const envidUserPrefix = 'envid:';

const nameLabel = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/**
 * A kube-apiserver `AuthenticationConfiguration` (apiserver.config.k8s.io/v1) JWT authenticator for
 * envid's issuer: the audience, a CEL claim validation rule that admits only the scope's `sub`, username
 * from `sub` and groups from the organization and project claims, plus the RBAC binding of the scope's
 * user (exact sub) or group (a project or the organization) (docs/trust.md#kubernetes).
 */
export function renderKubernetesTrust(plan: TrustPlan, settings: Record<string, unknown>): TrustEnvelope {
  const audience =
    typeof settings['audience'] === 'string' ? settings['audience'] : defaultKubernetesAudience;
  const clusterRole = typeof settings['clusterRole'] === 'string' ? settings['clusterRole'] : 'view';
  if (!nameLabel.test(clusterRole)) {
    throw usageError(
      `--cluster-role: "${clusterRole}" is not a Kubernetes object name (lower-case a-z 0-9 - .)`,
    );
  }
  const authenticationConfiguration = {
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'AuthenticationConfiguration',
    jwt: [
      {
        issuer: { url: plan.issuer, audiences: [audience] },
        claimValidationRules: [
          {
            expression: celSubjectRule(plan, 'claims'),
            message: `only tokens of the ${describeScope(plan)}`,
          },
        ],
        claimMappings: {
          username: { claim: 'sub', prefix: envidUserPrefix },
          groups: { expression: groupsExpression },
        },
      },
    ],
  };
  const subject = bindingSubject(plan);
  const bindingName = `envid-${scopeSlug(plan)}`;
  const clusterRoleBinding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: bindingName },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', ...subject }],
  };
  const file = '/etc/kubernetes/envid-authentication.json';
  return trustEnvelope('kubernetes', plan, audience, {
    documents: { authenticationConfiguration, clusterRoleBinding },
    commands: [
      `echo ${shellQuote(JSON.stringify(authenticationConfiguration, null, 2))} > ${file}`,
      `# kube-apiserver --authentication-config=${file} (the file is reloaded when it changes)`,
      `echo ${shellQuote(JSON.stringify(clusterRoleBinding))} | kubectl apply -f -`,
    ],
    warnings: [
      `the API server fetches ${plan.issuer}/.well-known/openid-configuration and the JWKS itself: the issuer must be reachable from it`,
      'an AuthenticationConfiguration holds every JWT authenticator of the cluster: add this one to the jwt list when the file has others (one per issuer)',
    ],
  });
}

/** Groups every envid token maps to: its organization, and its project when it has one (V2 tokens carry `org`). */
export const groupsExpression =
  "has(claims.organization_id) ? (has(claims.project_id) ? ['envid:organization:' + claims.organization_id, 'envid:project:' + claims.project_id] : ['envid:organization:' + claims.organization_id]) : ['envid:organization:' + claims.org]";

function bindingSubject(plan: TrustPlan): { kind: 'User' | 'Group'; name: string } {
  if (plan.subject !== undefined) return { kind: 'User', name: `${envidUserPrefix}${plan.subject}` };
  if (plan.scope.kind === 'project') return { kind: 'Group', name: `envid:project:${plan.scope.projectId}` };
  return { kind: 'Group', name: `envid:organization:${plan.organizationId}` };
}

export const kubernetesTrust: RelyingPartyTrust = {
  summary: 'a kube-apiserver AuthenticationConfiguration JWT authenticator and an RBAC binding',
  options: kubernetesTrustOptions,
  render: renderKubernetesTrust,
};

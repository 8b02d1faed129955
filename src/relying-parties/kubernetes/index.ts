import type { RelyingParty } from '../relying-party.ts';
import { kubernetesCredentialOptions } from './credential-options.ts';
import { kubernetesLimits } from './limits.ts';
import { defaultKubeconfigName, defaultKubernetesAudience, kubernetesTokenProblems } from './rules.ts';
import { kubernetesTrust } from './trust.ts';

/** A Kubernetes API server's JWT authenticator, for kubectl through an exec credential plugin (docs/providers/kubernetes.md). */
export const kubernetes: RelyingParty = {
  id: 'kubernetes',
  title: 'Kubernetes',
  docs: 'docs/providers/kubernetes.md',
  defaultAudience: defaultKubernetesAudience,
  limits: kubernetesLimits,
  rules: { tokenProblems: kubernetesTokenProblems },
  trust: kubernetesTrust,
  check: { load: async () => (await import('./check.ts')).kubernetesTrustCheck },
  login: {
    name: 'kubernetes',
    summary: 'Kubernetes: a kubeconfig whose exec plugin gives kubectl envid tokens',
    description:
      'Writes a cluster, a user whose exec credential plugin (client.authentication.k8s.io/v1) is ' +
      '`envid idp kubernetes-credential` and a context into the kubeconfig (the first existing file of ' +
      '$KUBECONFIG, else ~/.kube/config; other entries stay) and makes it the current context; then asks the ' +
      'API server who the envid token authenticates as (SelfSubjectReview, as kubectl auth whoami), so that a ' +
      'broken trust is reported now. See docs/providers/kubernetes.md.',
    connectionOptions: 'last',
    options: [
      {
        flags: '--server <url>',
        description: 'the API server, e.g. https://kube.example.com:6443 (env IDP_KUBERNETES_SERVER)',
      },
      {
        flags: '--audience <aud>',
        description: 'aud of the envid token, one of the JWT authenticator’s issuer.audiences',
        default: defaultKubernetesAudience,
      },
      { flags: '--ca-file <file>', description: 'PEM of the CA that signed the API server’s certificate' },
      {
        flags: '--context <name>',
        description: 'name of the kubeconfig context and cluster',
        default: defaultKubeconfigName,
      },
      { flags: '--user <name>', description: 'name of the kubeconfig user (default: the context’s name)' },
      {
        flags: '--lifetime <duration>',
        description: 'lifetime of the tokens kubectl gets, 60s to 1h (default: the server’s)',
      },
    ],
    examples: [
      'envid idp login kubernetes --server https://kube.example.com:6443 --ca-file ca.pem',
      'IDP_KUBERNETES_SERVER=https://10.0.0.1:6443 envid idp login kubernetes --audience my-cluster --context dev',
    ],
    run: async (flags, context) => {
      const { runKubernetesLogin } = await import('./login.ts');
      await runKubernetesLogin(flags, context);
      return undefined;
    },
  },
  commands: [
    {
      name: 'kubernetes-credential',
      summary: 'kubectl’s exec credential plugin: print an ExecCredential with an envid token',
      description:
        'Run by kubectl (the user `envid idp login kubernetes` writes), not by hand: prints ' +
        '{"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential", "status": {"token", ' +
        '"expirationTimestamp"}} for --audience. The answer is cached (mode 0600, per envid server, credential ' +
        'and audience, in $XDG_CACHE_HOME/envid or ~/.cache/envid) while the token has more than a few minutes left.',
      connectionOptions: 'last',
      options: kubernetesCredentialOptions,
      examples: ['envid idp kubernetes-credential --audience kubernetes | jq .status.expirationTimestamp'],
      run: async (flags, context) => {
        const { runKubernetesCredential } = await import('./exec-credential.ts');
        return runKubernetesCredential(flags, context);
      },
    },
  ],
};

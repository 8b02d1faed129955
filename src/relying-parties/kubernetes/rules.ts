import { readUnverifiedJwt } from '../../core/tokens/unverified-jwt.ts';

/**
 * Kubernetes' structured authentication (kube-apiserver `--authentication-config`, a JWT authenticator
 * of an AuthenticationConfiguration, apiserver.config.k8s.io/v1): the settings `envid idp login
 * kubernetes` takes and what the authenticator refuses in any token. From the Kubernetes documentation
 * "Authenticating: JWT authenticator"; the user's side is docs/providers/kubernetes.md.
 */

/** Kubernetes has no audience of its own: the authenticator's issuer.audiences name it. */
export const defaultKubernetesAudience = 'kubernetes';

/** The names `--context` and `--user` default to in the kubeconfig. */
export const defaultKubeconfigName = 'envid';

/** With structured authentication the API server accepts every RFC 7518 asymmetric algorithm. */
const acceptedAlgorithms = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512'];

/** What the JWT authenticator refuses in any token, whatever its AuthenticationConfiguration says. */
export function kubernetesTokenProblems(token: string): string[] {
  const { header, claims } = readUnverifiedJwt(token);
  const problems: string[] = [];
  const alg = header?.['alg'];
  if (typeof alg !== 'string' || !acceptedAlgorithms.includes(alg)) {
    problems.push(
      `the token is signed with ${String(alg)}; the API server accepts ${acceptedAlgorithms.join(', ')}`,
    );
  }
  const iss = claims?.['iss'];
  if (typeof iss !== 'string' || !iss.startsWith('https://')) {
    problems.push(`the issuer ${String(iss)} is not https; issuer.url of a JWT authenticator must be https`);
  }
  if (typeof claims?.['exp'] !== 'number')
    problems.push('the token has no exp, which the API server requires');
  return problems;
}

/**
 * The API server's URL as kubeconfig's `clusters[].cluster.server` holds it: https (http only for a
 * local test server), no query, fragment or user; a path is kept (a proxy may serve the API under one).
 * Throws an Error saying what is expected.
 */
export function parseApiServerUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new Error(
      `expected the API server's URL such as https://kube.example.com:6443, got ${JSON.stringify(value)}`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`the scheme must be https, got ${JSON.stringify(value)}`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new Error(`expected a URL without query, fragment or user, got ${JSON.stringify(value)}`);
  }
  return url.href.replace(/\/+$/, '');
}

/**
 * A kubeconfig entry name (`--context`, `--user`, `--cluster`): kubectl takes any string, but one with a
 * space, a slash or a colon is awkward on its command line (`kubectl config use-context …`).
 */
export function parseKubeconfigName(value: string): string {
  const name = value.trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9_.@-]{0,252}$/.test(name)) {
    throw new Error(
      `expected a name of letters, digits, _ . @ - (starting with a letter or digit), at most 253 characters, got ${JSON.stringify(value)}`,
    );
  }
  return name;
}

/** An audience as the API server compares it: non-empty, no whitespace (envid refuses those too). */
export function parseKubernetesAudience(value: string): string {
  const audience = value.trim();
  if (audience === '' || /\s/.test(audience)) {
    throw new Error(`expected a non-empty audience without whitespace, got ${JSON.stringify(value)}`);
  }
  return audience;
}

import type { RelyingPartyOption } from '../relying-party.ts';
import { defaultKubernetesAudience } from './rules.ts';

/**
 * The flags of `envid idp kubernetes-credential`, apart from index.ts: the CLI's fast path
 * (src/cli/idp/kubernetes-credential-fast.ts) parses them without index.ts, whose `import('./login.ts')`
 * a bundler would pull into the fast path's one file.
 */
export const kubernetesCredentialOptions: readonly RelyingPartyOption[] = [
  { flags: '--audience <aud>', description: 'aud of the token', default: defaultKubernetesAudience },
  {
    flags: '--lifetime <duration>',
    description: 'lifetime of a fresh token, 60s to 1h (default: the server’s)',
  },
];

/**
 * The entry of dist/kubernetes-credential.cjs, which bin/envid.js loads for `envid idp
 * kubernetes-credential` before the CLI: kubectl runs its exec plugin on every call, and a cached answer
 * must cost little more than node's own start (1.2x bare `node -e 0`, `npm run bench`). When it cannot
 * answer, bin/envid.js loads the CLI (dist/envid.cjs) as for any command.
 */
export { answerKubernetesCredentialFromCache } from './idp/kubernetes-credential-fast.ts';

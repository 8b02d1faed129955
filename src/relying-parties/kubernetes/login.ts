import { readFile } from 'node:fs/promises';
import { parseTokenLifetime } from '../../shared/duration.ts';
import { CliError, ExitCode, usageError } from '../../shared/exit-codes.ts';
import type { EnvidConnectionFlags, LoginContext } from '../relying-party.ts';
import { installedEnvidCommand } from '../support/envid-command.ts';
import { explainProviderError, providerUnreachable } from '../support/explain-error.ts';
import { ProviderUnreachableError } from '../support/post-to-provider.ts';
import { parsedFlag, requiredValue } from '../support/required-value.ts';
import { cacheCredential, credentialCachePath, freshCacheEntry } from './exec-credential.ts';
import { explainKubernetesRefusal } from './explain.ts';
import { kubeconfigPath, updateKubeconfig } from './kubeconfig.ts';
import {
  defaultKubeconfigName,
  defaultKubernetesAudience,
  parseApiServerUrl,
  parseKubeconfigName,
  parseKubernetesAudience,
} from './rules.ts';
import { type ReviewAnswer, reviewSelf } from './self-subject-review.ts';

export interface KubernetesLoginFlags extends EnvidConnectionFlags {
  server?: string;
  audience?: string;
  caFile?: string;
  context?: string;
  user?: string;
  lifetime?: string;
}

/** TLS failures that a missing --ca-file explains. */
const certificateProblems = [
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
];

/**
 * `envid idp login kubernetes`: writes a cluster, a user whose exec credential plugin is `envid idp
 * kubernetes-credential` and a context into the kubeconfig (and makes it current), then asks the API
 * server at once who the envid token authenticates as (SelfSubjectReview, as `kubectl auth whoami`),
 * so that a broken trust is reported now. The kubeconfig is written first: once the cluster's trust is
 * fixed, kubectl works without another login.
 */
export async function runKubernetesLogin(flags: KubernetesLoginFlags, context: LoginContext): Promise<void> {
  const { env } = context;
  const server = parsedFlag(
    '--server',
    parseApiServerUrl,
    requiredValue(flags.server, env, {
      flag: '--server',
      envVar: 'IDP_KUBERNETES_SERVER',
      example: 'https://kube.example.com:6443',
    }),
  );
  const audience = parsedFlag(
    '--audience',
    parseKubernetesAudience,
    flags.audience ?? defaultKubernetesAudience,
  );
  const contextName = parsedFlag('--context', parseKubeconfigName, flags.context ?? defaultKubeconfigName);
  const userName = parsedFlag('--user', parseKubeconfigName, flags.user ?? contextName);
  const lifetimeSeconds =
    flags.lifetime === undefined ? undefined : parseTokenLifetime(flags.lifetime, '--lifetime');
  const ca = flags.caFile === undefined ? undefined : await readCertificateAuthority(flags.caFile);
  // Before the token: without an installed envid there is nothing to write.
  const envid = await installedEnvidCommand(env, '`envid idp login kubernetes`');

  const fresh = await context.freshToken(audience, lifetimeSeconds);
  const args = [
    ...envid.slice(1),
    'idp',
    'kubernetes-credential',
    '--host',
    fresh.connection.host,
    '--audience',
    audience,
    ...(flags.lifetime !== undefined ? ['--lifetime', `${lifetimeSeconds}s`] : []),
  ];
  const path = kubeconfigPath(env);
  const { previousContext } = await updateKubeconfig(path, {
    cluster: contextName,
    user: userName,
    context: contextName,
    server,
    ...(ca !== undefined ? { certificateAuthority: ca } : {}),
    command: envid[0]!,
    args,
  });
  // The first kubectl call then needs no token request; the plugin retries a cache it cannot write.
  await cacheCredential(env, freshCacheEntry(fresh, audience, env)).catch(() => {});

  const wrote = `Wrote context ${contextName} (cluster ${contextName}, user ${userName}) to ${path}${
    previousContext && previousContext !== contextName
      ? ` and made it current (it was ${previousContext})`
      : ' as the current context'
  }; kubectl runs \`envid idp kubernetes-credential\` for tokens, cached in ${credentialCachePath(env, fresh.connection.host, audience)}.`;
  const answer = await review(server, fresh.token, ca, audience, wrote);
  const lines =
    answer.kind === 'accepted'
      ? [
          `Kubernetes: ${server} accepts the envid token as ${answer.user.username}${
            answer.user.groups.length > 0 ? ` (groups ${answer.user.groups.join(', ')})` : ''
          }.`,
        ]
      : [
          `Kubernetes: ${server} accepts the envid token, but RBAC forbids the user to review itself (${answer.message}); kubectl auth whoami will fail, other calls as RBAC allows.`,
        ];
  lines.push(wrote);
  context.stdout.write(`${lines.join('\n')}\n`);
}

async function readCertificateAuthority(file: string): Promise<string> {
  let pem: string;
  try {
    pem = await readFile(file, 'utf8');
  } catch (error) {
    throw usageError(`cannot read --ca-file ${file}: ${(error as Error).message}`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw usageError(`--ca-file ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  }
  return pem;
}

async function review(
  server: string,
  token: string,
  ca: string | undefined,
  audience: string,
  wrote: string,
): Promise<Exclude<ReviewAnswer, { kind: 'refused' }>> {
  let answer: ReviewAnswer;
  try {
    answer = await reviewSelf(server, token, ca);
  } catch (error) {
    if (!(error instanceof ProviderUnreachableError)) throw error;
    const unreachable = providerUnreachable('the Kubernetes API server', error.url, error.cause);
    const code = (error.cause as { code?: string } | undefined)?.code ?? '';
    const hint = certificateProblems.includes(code)
      ? ": its certificate is not trusted: pass the cluster's CA with --ca-file (the certificate-authority-data of an admin kubeconfig, base64-decoded)"
      : '';
    throw new CliError(`${unreachable.message}${hint}\n${wrote}`, ExitCode.unreachable);
  }
  if (answer.kind !== 'refused') return answer;
  const explanation = explainKubernetesRefusal(answer.status, token, { server, audience });
  const error = explainProviderError({
    provider: `Kubernetes (${server})`,
    code: explanation.code,
    meaning: explanation.meaning,
    token,
    expected: explanation.expected,
    nextStep: explanation.nextStep,
    noticed: explanation.noticed,
    providerMessage: answer.message || undefined,
    ...(answer.status >= 500 ? { exitCode: ExitCode.serverError } : {}),
  });
  throw new CliError(`${error.message}\n  ${wrote}`, error.exitCode);
}

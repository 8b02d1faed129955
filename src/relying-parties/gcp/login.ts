import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { configDir } from '../../shared/config-paths.ts';
import { decodeJwt } from '../../shared/decode-jwt.ts';
import { usageError } from '../../shared/exit-codes.ts';
import { persistShellVariables } from '../../shared/shell-env.ts';
import { writeFileAtomic } from '../../shared/write-file-atomic.ts';
import type { EnvidConnectionFlags, LoginContext } from '../relying-party.ts';
import { envidCommandLine, installedEnvidCommand } from '../support/envid-command.ts';
import { explainProviderError, providerUnreachable, readTokenFacts } from '../support/explain-error.ts';
import { ProviderUnreachableError } from '../support/post-to-provider.ts';
import { optionalValue, requiredValue } from '../support/required-value.ts';
import { credentialConfiguration, executableSuccess } from './credential-configuration.ts';
import {
  exchangeAtSts,
  GoogleError,
  googleIamCredentialsUrl,
  googleStsUrl,
  impersonateServiceAccount,
  impersonationUrl,
} from './exchange.ts';
import { explainGoogleError, type GoogleLoginContext } from './explain.ts';
import { executableExpirationTime } from './gcloud-token.ts';
import {
  parseProjectId,
  parseServiceAccountEmail,
  parseWorkloadIdentityProvider,
  stsAudience,
  tokenProblemsForGoogle,
} from './rules.ts';

export interface GcpLoginFlags extends EnvidConnectionFlags {
  workloadIdentityProvider?: string;
  serviceAccount?: string;
  project?: string;
  audience?: string;
  stsEndpoint?: string;
  iamCredentialsEndpoint?: string;
  /** Commander's `--no-gcloud`. */
  gcloud?: boolean;
}

/** The variable google-auth-library (and gcloud) need before they run an executable credential source. */
export const allowExecutablesVariable = 'GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES';

/** `$CLOUDSDK_CONFIG`, else `~/.config/gcloud`: where gcloud and the client libraries look. */
export function gcloudConfigDir(env: NodeJS.ProcessEnv): string {
  return env['CLOUDSDK_CONFIG'] || join(env['HOME'] || homedir(), '.config', 'gcloud');
}

export function applicationDefaultCredentialsPath(env: NodeJS.ProcessEnv): string {
  return join(gcloudConfigDir(env), 'application_default_credentials.json');
}

function endpoint(flag: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw usageError(`invalid ${flag} ${JSON.stringify(value)}: expected an http(s) URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw usageError(`invalid ${flag} ${JSON.stringify(value)}: expected an http(s) URL`);
  }
  return url.href.replace(/\/+$/, '');
}

/**
 * `envid idp login gcp`: exchanges a fresh envid token at Google STS (and impersonates the service
 * account, when given) so that a broken trust is reported now; then writes an `external_account`
 * credential configuration whose executable source is `envid idp gcloud-token`, makes it the
 * application default credentials, logs gcloud in with it when gcloud is installed, and sets
 * GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1 for new shells.
 */
export async function runGcpLogin(flags: GcpLoginFlags, context: LoginContext): Promise<void> {
  const { env } = context;
  const providerValue = requiredValue(flags.workloadIdentityProvider, env, {
    flag: '--workload-identity-provider',
    envVar: 'IDP_GCP_WORKLOAD_IDENTITY_PROVIDER',
    example: 'projects/123456789012/locations/global/workloadIdentityPools/envid/providers/envid',
  });
  let provider: ReturnType<typeof parseWorkloadIdentityProvider>;
  try {
    provider = parseWorkloadIdentityProvider(providerValue);
  } catch (error) {
    throw usageError(`invalid --workload-identity-provider: ${(error as Error).message}`);
  }
  const serviceAccountValue = optionalValue(flags.serviceAccount, env, 'IDP_GCP_SERVICE_ACCOUNT');
  let serviceAccount: string | undefined;
  try {
    serviceAccount =
      serviceAccountValue === undefined ? undefined : parseServiceAccountEmail(serviceAccountValue);
  } catch (error) {
    throw usageError(`invalid --service-account: ${(error as Error).message}`);
  }
  const projectValue = optionalValue(flags.project, env, 'IDP_GCP_PROJECT');
  let project: string | undefined;
  try {
    project = projectValue === undefined ? undefined : parseProjectId(projectValue);
  } catch (error) {
    throw usageError(`invalid --project: ${(error as Error).message}`);
  }
  const customAudience = flags.audience?.trim() || undefined;
  if (customAudience !== undefined && /\s/.test(customAudience)) {
    throw usageError(`invalid --audience ${JSON.stringify(customAudience)}: it must not contain whitespace`);
  }
  const audience = customAudience ?? stsAudience(provider);
  const stsUrl = endpoint(
    '--sts-endpoint',
    optionalValue(flags.stsEndpoint, env, 'ENVID_GCP_STS_URL') ?? googleStsUrl,
  );
  const iamBase = endpoint(
    '--iam-credentials-endpoint',
    optionalValue(flags.iamCredentialsEndpoint, env, 'ENVID_GCP_IAM_CREDENTIALS_URL') ??
      googleIamCredentialsUrl,
  );
  const saUrl = serviceAccount ? impersonationUrl(iamBase, serviceAccount) : undefined;

  // Before the exchange: without an installed envid there is nothing to write.
  const envid = await installedEnvidCommand(env, '`envid idp login gcp`');
  const { connection, token } = await context.freshToken(audience);
  const explainContext: GoogleLoginContext = {
    provider,
    audience,
    issuer: readTokenFacts(token).iss,
    ...(serviceAccount ? { serviceAccount } : {}),
  };
  const federated = await exchangeAtSts(stsUrl, provider, token).catch((error) =>
    rethrowExplained(error, token, explainContext, customAudience === undefined),
  );
  if (saUrl) {
    await impersonateServiceAccount(saUrl, federated.accessToken).catch((error) =>
      rethrowExplained(error, token, explainContext, customAudience === undefined),
    );
  }

  // The executable's cache: google-auth-library reads it before running the executable again.
  const outputFile = join(configDir(env), 'gcp', 'subject-token.json');
  await mkdir(dirname(outputFile), { recursive: true, mode: 0o700 });
  const claims = decodeJwt(token).Claims;
  await writeFileAtomic(
    outputFile,
    JSON.stringify(executableSuccess(token, executableExpirationTime(claims, Date.now()))),
    0o600,
  );
  const command = envidCommandLine(envid, [
    'idp',
    'gcloud-token',
    ...(customAudience !== undefined ? ['--audience', customAudience] : []),
    ...(flags.host !== undefined ? ['--host', flags.host] : []),
  ]);
  const configuration = credentialConfiguration({
    provider,
    tokenUrl: stsUrl,
    ...(saUrl ? { serviceAccountImpersonationUrl: saUrl } : {}),
    command,
    outputFile,
  });
  const adcPath = applicationDefaultCredentialsPath(env);
  await mkdir(dirname(adcPath), { recursive: true, mode: 0o700 });
  await writeFileAtomic(adcPath, `${JSON.stringify(configuration, null, 2)}\n`, 0o600);

  // Client libraries look for a project in GOOGLE_CLOUD_PROJECT before asking Resource Manager; gcloud
  // reads CLOUDSDK_CORE_PROJECT.
  const variables: Record<string, string> = { [allowExecutablesVariable]: '1' };
  if (project) Object.assign(variables, { GOOGLE_CLOUD_PROJECT: project, CLOUDSDK_CORE_PROJECT: project });
  const shell = await persistShellVariables(env, variables);
  const gcloudLine =
    flags.gcloud === false ? 'gcloud: skipped (--no-gcloud)' : await logInGcloud(adcPath, env);

  const who = serviceAccount
    ? `service account ${serviceAccount}`
    : `the federated principal (sub ${String(claims['sub'])})`;
  const lines = [
    `Google Cloud: STS accepted the envid token for ${provider.name}; tools now act as ${who}.`,
    `Application default credentials: ${adcPath} (external_account; runs \`envid idp gcloud-token\` for a fresh token, cached in ${outputFile}).`,
    gcloudLine,
    `${Object.keys(variables).join(', ')} (the client libraries run an executable source only with ${allowExecutablesVariable}=1) in ${shell.file}, sourced by ${shell.profiles.join(', ')} for new shells.`,
  ];
  const unset = Object.entries(variables).filter(([name, value]) => env[name] !== value);
  if (unset.length > 0) {
    lines.push(`In this shell run: export ${unset.map(([name, value]) => `${name}=${value}`).join(' ')}`);
  }
  if (flags.token !== undefined) {
    lines.push(
      `Note: \`envid idp gcloud-token\` does not get the --token given here; it needs ENVID_TOKEN or a saved \`envid login\` (host ${connection.host}).`,
    );
  }
  context.stdout.write(`${lines.join('\n')}\n`);
}

function rethrowExplained(
  error: unknown,
  token: string,
  context: GoogleLoginContext,
  audienceIsDefault: boolean,
): never {
  if (error instanceof ProviderUnreachableError) {
    throw providerUnreachable('Google Cloud', error.url, error.cause);
  }
  if (!(error instanceof GoogleError)) throw error;
  const explanation = explainGoogleError(error, context);
  const noticed = tokenProblemsForGoogle(decodeJwt(token).Claims, context.provider, audienceIsDefault);
  throw explainProviderError({
    provider: error.service === 'sts' ? 'Google Cloud STS' : 'Google Cloud IAM Credentials',
    code: error.code,
    token,
    ...explanation,
    nextStep:
      noticed.length > 0
        ? `${explanation.nextStep} (envid notices: ${noticed.join('; ')})`
        : explanation.nextStep,
    providerMessage: error.description,
  });
}

/** `gcloud auth login --cred-file` when gcloud is on PATH; answers the line to print. */
async function logInGcloud(adcPath: string, env: NodeJS.ProcessEnv): Promise<string> {
  const result = await new Promise<{ code: number | string; stderr: string }>((resolve) => {
    execFile(
      'gcloud',
      ['auth', 'login', `--cred-file=${adcPath}`, '--quiet'],
      { env: { ...env, [allowExecutablesVariable]: '1' }, timeout: 120_000 },
      (error, _stdout, stderr) => {
        resolve({ code: error ? ((error as NodeJS.ErrnoException).code ?? 1) : 0, stderr });
      },
    );
  });
  if (result.code === 'ENOENT')
    return 'gcloud: not installed; the application default credentials serve the SDKs.';
  if (result.code !== 0) {
    // gcloud's own words are on its `ERROR:` line; the rest is generic advice.
    const lines = result.stderr.trim().split('\n');
    const detail = (lines.find((line) => line.startsWith('ERROR:')) ?? lines.at(-1) ?? '').trim();
    return `gcloud: \`gcloud auth login --cred-file=${adcPath}\` failed (${detail}); the application default credentials still serve the SDKs.`;
  }
  return `gcloud: logged in with --cred-file (its configuration in ${gcloudConfigDir(env)}).`;
}

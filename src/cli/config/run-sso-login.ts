import { CliError, ExitCode, usageError } from '../../shared/exit-codes.ts';
import { loopbackSignIn } from './loopback-sign-in.ts';
import type { Connection } from './resolve-connection.ts';
import { runLogin } from './run-login.ts';
import { describeRefusal, postSsoForm } from './sso-form-post.ts';

export interface SsoLoginOptions {
  host: string;
  ssoConfigurationId?: string;
  organizationId?: string;
  /** false: the device flow (`--no-browser`). */
  browser: boolean;
  schemeAssumedFor?: string;
}

/** `--org`: the organization's one active SSO configuration; none or several is a usage error naming them. */
async function pickConfiguration(host: string, organizationId: string): Promise<string> {
  const answer = await postSsoForm(host, '/sso/cli/configurations', { organizationId });
  if (answer.status !== 200) throw usageError(`--org: ${describeRefusal(answer)}`);
  const ids = Array.isArray(answer.body.ssoConfigurationIds)
    ? (answer.body.ssoConfigurationIds as string[])
    : [];
  if (ids.length === 1) return ids[0] as string;
  if (ids.length === 0) {
    throw new CliError(
      `organization ${organizationId} has no active SSO configuration (or does not exist): ask its admin, or pass --sso-configuration ID`,
      ExitCode.notFound,
    );
  }
  throw usageError(
    `organization ${organizationId} has ${ids.length} active SSO configurations (${ids.join(', ')}): pick one with --sso-configuration ID`,
  );
}

/**
 * `envid login --sso`: signs the user in through the organization's SSO, in the browser (loopback) or
 * with a code on a second device (`--no-browser`), and saves the personal access token it ends with as
 * `envid login --token` saves one.
 */
export async function runSsoLogin(
  options: SsoLoginOptions,
  env: NodeJS.ProcessEnv,
  stdout: NodeJS.WritableStream,
  stderr: NodeJS.WritableStream,
): Promise<void> {
  const { host } = options;
  const configId =
    options.ssoConfigurationId ?? (await pickConfiguration(host, options.organizationId as string));
  const token = options.browser
    ? await loopbackSignIn(host, configId, env, stderr)
    : await (await import('./device-sign-in.ts')).deviceSignIn(host, configId, stderr);
  const connection: Connection = {
    host,
    token,
    tokenSource: 'envid login --sso',
    ...(options.schemeAssumedFor ? { schemeAssumedFor: options.schemeAssumedFor } : {}),
  };
  await runLogin(connection, env, stdout);
}

import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startBackgroundRefresher, stopRefresher } from '../../shared/background-refresher.ts';
import { configDir } from '../../shared/config-paths.ts';
import { CliError, ExitCode, usageError } from '../../shared/exit-codes.ts';
import { persistShellVariables } from '../../shared/shell-env.ts';
import { writeFileAtomic } from '../../shared/write-file-atomic.ts';
import type { EnvidConnectionFlags, LoginContext } from '../relying-party.ts';
import { installedEnvidCommand } from '../support/envid-command.ts';
import { findOnPath } from '../support/find-on-path.ts';
import { optionalValue, requiredValue } from '../support/required-value.ts';
import { exchangeAzureToken } from './exchange.ts';
import {
  azureDefaultAudience,
  azureDefaultAuthorityHost,
  azureSdkVariables,
  checkAuthorityHost,
  checkClientId,
  checkSubscriptionId,
  checkTenantId,
} from './rules.ts';

/** The flags of `envid idp login azure`, as commander hands them over. */
export interface AzureLoginFlags extends EnvidConnectionFlags {
  clientId?: string;
  tenantId?: string;
  subscriptionId?: string;
  audience?: string;
  authorityHost?: string;
}

/** Where the login keeps the token file (renewed in the background). */
export function azurePaths(env: NodeJS.ProcessEnv) {
  const dir = join(configDir(env), 'azure');
  const tokenFile = join(dir, 'federated-token');
  return {
    dir,
    tokenFile,
    pidFile: `${tokenFile}.pid`,
    logFile: `${tokenFile}.log`,
  };
}

function parseAzureFlags(flags: AzureLoginFlags, env: NodeJS.ProcessEnv) {
  const named = (flag: string | undefined, name: string, envVar: string) =>
    flag !== undefined ? name : envVar;
  const clientId = requiredValue(flags.clientId, env, {
    flag: '--client-id',
    envVar: 'IDP_AZURE_CLIENT_ID',
    example: '00000000-0000-0000-0000-000000000000 (the application (client) ID)',
  });
  const tenantId = requiredValue(flags.tenantId, env, {
    flag: '--tenant-id',
    envVar: 'IDP_AZURE_TENANT_ID',
    example: '00000000-0000-0000-0000-000000000000 (the directory (tenant) ID)',
  });
  const subscriptionId = optionalValue(flags.subscriptionId, env, 'IDP_AZURE_SUBSCRIPTION_ID');
  const authorityFlag = flags.authorityHost ?? optionalValue(undefined, env, 'AZURE_AUTHORITY_HOST');
  const audience = flags.audience ?? azureDefaultAudience;
  if (audience === '' || /\s/.test(audience)) {
    throw usageError(`invalid --audience ${JSON.stringify(audience)}: must be non-empty, without whitespace`);
  }
  return {
    clientId: checkClientId(clientId, named(flags.clientId, '--client-id', 'IDP_AZURE_CLIENT_ID')),
    tenantId: checkTenantId(tenantId, named(flags.tenantId, '--tenant-id', 'IDP_AZURE_TENANT_ID')),
    subscriptionId:
      subscriptionId === undefined
        ? undefined
        : checkSubscriptionId(
            subscriptionId,
            named(flags.subscriptionId, '--subscription-id', 'IDP_AZURE_SUBSCRIPTION_ID'),
          ),
    audience,
    authorityHost:
      authorityFlag === undefined
        ? undefined
        : checkAuthorityHost(
            authorityFlag,
            flags.authorityHost !== undefined ? '--authority-host' : 'AZURE_AUTHORITY_HOST',
          ),
  };
}

/**
 * `envid idp login azure`: exchanges a fresh token with Entra (so a broken trust shows now), keeps a
 * token file fresh in the background, writes AZURE_* for the SDKs where shells pick them up, and logs
 * `az` in when it is installed.
 */
export async function runAzureLogin(flags: AzureLoginFlags, context: LoginContext): Promise<void> {
  const settings = parseAzureFlags(flags, context.env);
  const authorityHost = settings.authorityHost ?? azureDefaultAuthorityHost;
  // Before the exchange: the refresher outlives this process, so it must run an installed envid.
  const envid = await installedEnvidCommand(context.env, '`envid idp login azure`');
  const { connection, token } = await context.freshToken(settings.audience);
  await exchangeAzureToken({ ...settings, authorityHost, token });

  const paths = azurePaths(context.env);
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(paths.tokenFile, token, 0o600);
  await stopRefresher(paths.pidFile, paths.tokenFile);
  const pid = await startBackgroundRefresher(
    paths.pidFile,
    paths.logFile,
    { ...context.env, ENVID_HOST: connection.host, ENVID_TOKEN: connection.token },
    [
      ...envid,
      'idp',
      'token',
      '--audience',
      settings.audience,
      '--output-file',
      paths.tokenFile,
      '--refresh',
    ],
  );
  const variables: Record<string, string> = {
    [azureSdkVariables.clientId]: settings.clientId,
    [azureSdkVariables.tenantId]: settings.tenantId,
    [azureSdkVariables.tokenFile]: paths.tokenFile,
    ...(settings.authorityHost !== undefined
      ? { [azureSdkVariables.authorityHost]: settings.authorityHost }
      : {}),
  };
  // AZURE_AUTHORITY_HOST is left over from an earlier login with --authority-host unless unset here.
  const shell = await persistShellVariables(
    context.env,
    variables,
    settings.authorityHost === undefined ? [azureSdkVariables.authorityHost] : [],
  );

  const lines = [
    `Exchanged an envid token with Entra ID for application ${settings.clientId} in tenant ${settings.tenantId}.`,
    `Token file ${paths.tokenFile} (renewed in the background: pid ${pid}, pid file ${paths.pidFile}, log ${paths.logFile}).`,
    `${Object.keys(variables).join(', ')} (what DefaultAzureCredential and WorkloadIdentityCredential read) in ${shell.file}, sourced by ${shell.profiles.join(', ')} for new shells; in this one run: . ${shell.file}`,
  ];
  // Said before az runs: should az fail, the SDK set-up above is done all the same.
  context.stdout.write(`${lines.join('\n')}\n`);
  lines.length = 0;
  const az = await findOnPath('az', context.env);
  if (az === undefined) {
    lines.push('az is not installed: skipped its login (the SDKs need nothing more).');
  } else {
    await loginAz(az, settings, token, context.env);
    lines.push(
      `Logged az in as the service principal${settings.subscriptionId ? ` and selected subscription ${settings.subscriptionId}` : ''}; az replays this token, so run the login again when az reports it expired (within 1 h).`,
    );
    if (settings.authorityHost !== undefined) {
      lines.push(
        `Note: az uses its registered cloud's authority (az cloud show), not ${settings.authorityHost}.`,
      );
    }
  }
  context.stdout.write(`${lines.join('\n')}\n`);
}

async function loginAz(
  az: string,
  settings: { clientId: string; tenantId: string; subscriptionId: string | undefined },
  token: string,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  await runAz(
    az,
    [
      'login',
      '--service-principal',
      '--username',
      settings.clientId,
      '--tenant',
      settings.tenantId,
      // az loads any argument value written `@-` from stdin (`@<path>` from a file): the token never
      // appears on a command line, which every local user can read (ps, /proc/<pid>/cmdline).
      '--federated-token',
      '@-',
      ...(settings.subscriptionId === undefined ? ['--allow-no-subscriptions'] : []),
      '--output',
      'none',
    ],
    env,
    'az login',
    token,
  );
  if (settings.subscriptionId !== undefined) {
    await runAz(az, ['account', 'set', '--subscription', settings.subscriptionId], env, 'az account set');
  }
}

function runAz(
  az: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  what: string,
  /** Given on stdin, for an argument `@-`. */
  token?: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile(az, args, { env, timeout: 120_000 }, (error, _stdout, stderr) => {
      if (!error) return resolve();
      const said =
        stderr
          .split('\n')
          .find((line) => line.trim() !== '')
          ?.trim() ?? error.message;
      // az's own message, never the token it was given.
      const safe = token === undefined ? said : said.replaceAll(token, '<token>');
      reject(new CliError(`${what} failed after Entra accepted the token: ${safe}`, ExitCode.serverError));
    });
    // An az that exits before reading stdin closes the pipe: its exit code tells, not EPIPE.
    child.stdin?.on('error', () => {});
    child.stdin?.end(token ?? '');
  });
}

import { readFile } from 'node:fs/promises';
import { usageError } from '../../shared/exit-codes.ts';
import type { EnvidConnectionFlags, LoginContext } from '../relying-party.ts';
import { envidCommandLine, installedEnvidCommand } from '../support/envid-command.ts';
import { optionalValue, requiredValue } from '../support/required-value.ts';
import { awsConfigPath, awsCredentialsPath, hasStaticKeys, updateAwsConfig } from './config-file.ts';
import { assumeRoleWithWebIdentity, credentialProcessJson } from './exchange.ts';
import {
  awsDefaultAudience,
  checkRegion,
  checkRoleArn,
  checkSessionName,
  defaultSessionName,
  parseDurationSeconds,
  stsEndpoint,
} from './rules.ts';

/** The flags of `envid idp login aws` and `envid idp aws-credentials`, as commander hands them over. */
export interface AwsFlags extends EnvidConnectionFlags {
  roleArn?: string;
  durationSeconds?: string;
  roleSessionName?: string;
  audience?: string;
  region?: string;
}

export interface AwsLoginFlags extends AwsFlags {
  profile?: string;
}

interface AwsSettings {
  roleArn: string;
  durationSeconds: number;
  sessionName?: string;
  audience: string;
  region?: string;
}

function parseAwsFlags(flags: AwsFlags, env: NodeJS.ProcessEnv): AwsSettings {
  const roleArn = requiredValue(flags.roleArn, env, {
    flag: '--role-arn',
    envVar: 'IDP_AWS_ROLE_ARN',
    example: 'arn:aws:iam::123456789012:role/dev',
  });
  checkRoleArn(roleArn, flags.roleArn !== undefined ? '--role-arn' : 'IDP_AWS_ROLE_ARN');
  const audience = flags.audience ?? awsDefaultAudience;
  if (audience === '' || /\s/.test(audience)) {
    throw usageError(`invalid --audience ${JSON.stringify(audience)}: must be non-empty, without whitespace`);
  }
  return {
    roleArn,
    durationSeconds: parseDurationSeconds(flags.durationSeconds),
    ...(flags.roleSessionName !== undefined ? { sessionName: checkSessionName(flags.roleSessionName) } : {}),
    audience,
    ...(flags.region !== undefined ? { region: checkRegion(flags.region) } : {}),
  };
}

/** Exchanges a fresh envid token with STS; answers the credentials and the session name used. */
async function exchange(settings: AwsSettings, context: LoginContext) {
  const { env } = context;
  const { connection, token } = await context.freshToken(settings.audience);
  const sessionName = settings.sessionName ?? defaultSessionName(token, new Date());
  const region =
    settings.region ??
    optionalValue(undefined, env, 'AWS_REGION') ??
    optionalValue(undefined, env, 'AWS_DEFAULT_REGION');
  const credentials = await assumeRoleWithWebIdentity({
    endpoint: stsEndpoint(env, region),
    roleArn: settings.roleArn,
    sessionName,
    durationSeconds: settings.durationSeconds,
    token,
    audience: settings.audience,
  });
  return { connection, credentials, sessionName };
}

/** `envid idp aws-credentials`: the credential_process; prints the Version 1 JSON on stdout. */
export async function runAwsCredentials(flags: AwsFlags, context: LoginContext): Promise<void> {
  const settings = parseAwsFlags(flags, context.env);
  const { credentials } = await exchange(settings, context);
  context.stdout.write(`${credentialProcessJson(credentials)}\n`);
}

/**
 * `envid idp login aws`: assumes the role once (so a broken trust shows now), then writes the profile
 * whose credential_process runs `envid idp aws-credentials` with the same settings whenever the SDKs
 * or the aws CLI need credentials.
 */
export async function runAwsLogin(flags: AwsLoginFlags, context: LoginContext): Promise<void> {
  const settings = parseAwsFlags(flags, context.env);
  const profile = flags.profile ?? 'default';
  if (!/^[\w+=,.@-]+$/.test(profile)) {
    throw usageError(`invalid --profile ${JSON.stringify(profile)}: use letters, digits and _+=,.@-`);
  }
  // Before the exchange: without an installed envid there is nothing to write.
  const envid = await installedEnvidCommand(context.env, '`envid idp login aws`');
  const { connection, credentials, sessionName } = await exchange(settings, context);
  const args = [
    'idp',
    'aws-credentials',
    '--host',
    connection.host,
    '--role-arn',
    settings.roleArn,
    '--duration-seconds',
    String(settings.durationSeconds),
    ...(settings.audience !== awsDefaultAudience ? ['--audience', settings.audience] : []),
    ...(settings.sessionName !== undefined ? ['--role-session-name', settings.sessionName] : []),
    ...(settings.region !== undefined ? ['--region', settings.region] : []),
  ];
  const credentialProcess = envidCommandLine(envid, args);
  const path = awsConfigPath(context.env);
  await updateAwsConfig(path, profile, {
    credential_process: credentialProcess,
    ...(settings.region !== undefined ? { region: settings.region } : {}),
  }).catch((error: Error) => {
    throw usageError(`cannot write the AWS config file ${path}: ${error.message}`);
  });
  const lines = [
    `Assumed ${credentials.assumedRoleArn ?? settings.roleArn} (session ${sessionName}); these credentials expire at ${credentials.expiration}.`,
    `Wrote profile ${profile} in ${path}; the AWS SDKs and CLI run its credential_process for new credentials when they need them:`,
    `  credential_process = ${credentialProcess}`,
    profile === 'default'
      ? 'It is the default profile: no AWS_PROFILE needed.'
      : `Use it with AWS_PROFILE=${profile} (or --profile ${profile}).`,
  ];
  if (connection.tokenSource === '--token') {
    lines.push(
      'Note: the envid credential came from --token and is not written anywhere; credential_process finds it in ENVID_TOKEN or the saved `envid login`.',
    );
  }
  context.stdout.write(`${lines.join('\n')}\n`);
  await warnAboutShadowingCredentials(profile, context);
}

/** Credentials the SDKs would take before the profile's credential_process. */
async function warnAboutShadowingCredentials(profile: string, context: LoginContext): Promise<void> {
  if (context.env['AWS_ACCESS_KEY_ID']) {
    context.stderr.write(
      'envid: warning: AWS_ACCESS_KEY_ID is set in this environment; the SDKs use it before any profile\n',
    );
  }
  const credentialsFile = awsCredentialsPath(context.env);
  const content = await readFile(credentialsFile, 'utf8').catch(() => '');
  if (hasStaticKeys(content, profile)) {
    context.stderr.write(
      `envid: warning: ${credentialsFile} holds static keys for profile ${profile}; they win over credential_process: remove them\n`,
    );
  }
}

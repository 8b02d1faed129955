import type { Command } from 'commander';
import { addConnectionOptions } from '../config/load-connection.ts';
import { formatExamples } from './help-examples.ts';

/** `envid idp login aws` and its credential_process, `envid idp aws-credentials` (docs/providers/aws.md). */
export function registerAwsLogin(login: Command, idp: Command): void {
  addAwsOptions(
    addConnectionOptions(
      login
        .command('aws')
        .summary('assume an AWS role with the envid token and set up an AWS profile')
        .description(
          'Asks envid for a token for --audience, exchanges it with STS AssumeRoleWithWebIdentity for the role ' +
            '(so that a broken trust shows now), then writes the profile (default: default) in ~/.aws/config ' +
            '(or AWS_CONFIG_FILE) with credential_process = envid idp aws-credentials …, which the AWS SDKs ' +
            'and CLI run for fresh credentials when they need them. Other profiles stay as they are. STS ' +
            'endpoint: AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, the --region’s, else sts.amazonaws.com.',
        ),
    ).option('--profile <name>', 'AWS profile to write (default: default)'),
  )
    .addHelpText(
      'after',
      formatExamples([
        'envid idp login aws --role-arn arn:aws:iam::123456789012:role/dev',
        'IDP_AWS_ROLE_ARN=arn:aws:iam::123456789012:role/dev envid idp login aws --profile dev --region eu-west-1',
      ]),
    )
    .action(async (flags) => {
      const { runAwsLogin } = await import('../../providers/aws-login.ts');
      await runAwsLogin(flags, { env: process.env, stdout: process.stdout, stderr: process.stderr });
    });

  addAwsOptions(
    addConnectionOptions(
      idp
        .command('aws-credentials')
        .summary('print AWS credentials as credential_process JSON (written by idp login aws)')
        .description(
          'Exchanges a fresh envid token with STS AssumeRoleWithWebIdentity and prints {"Version": 1, ' +
            '"AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"} for an AWS profile’s ' +
            'credential_process. `envid idp login aws` writes the profile that runs it.',
        ),
    ),
  )
    .addHelpText(
      'after',
      formatExamples([
        'envid idp aws-credentials --role-arn arn:aws:iam::123456789012:role/dev | jq .Expiration',
      ]),
    )
    .action(async (flags) => {
      const { runAwsCredentials } = await import('../../providers/aws-login.ts');
      await runAwsCredentials(flags, { env: process.env, stdout: process.stdout, stderr: process.stderr });
    });
}

function addAwsOptions(command: Command): Command {
  return command
    .option('--role-arn <arn>', 'the role to assume (env IDP_AWS_ROLE_ARN)')
    .option('--duration-seconds <seconds>', 'session length, 900 to 43200 (default: 3600)')
    .option(
      '--role-session-name <name>',
      'session name, 2-64 of [\\w+=,.@-] (default: envid-<principal id>-<time>)',
    )
    .option('--audience <aud>', 'audience of the envid token (default: sts.amazonaws.com)')
    .option('--region <region>', 'use the regional STS endpoint; written to the profile');
}

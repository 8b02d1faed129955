import type { RelyingParty, RelyingPartyOption } from '../relying-party.ts';
import { awsLimits } from './limits.ts';
import { awsDefaultAudience, tokenProblemsForAws } from './rules.ts';
import { awsTrust } from './trust.ts';

/** The flags `envid idp login aws` and the credential_process it writes share. */
const awsOptions: readonly RelyingPartyOption[] = [
  { flags: '--role-arn <arn>', description: 'the role to assume (env IDP_AWS_ROLE_ARN)' },
  { flags: '--duration-seconds <seconds>', description: 'session length, 900 to 43200 (default: 3600)' },
  {
    flags: '--role-session-name <name>',
    description: 'session name, 2-64 of [\\w+=,.@-] (default: envid-<principal id>-<time>)',
  },
  { flags: '--audience <aud>', description: 'audience of the envid token (default: sts.amazonaws.com)' },
  { flags: '--region <region>', description: 'use the regional STS endpoint; written to the profile' },
];

/** AWS STS AssumeRoleWithWebIdentity, and a profile whose credential_process runs envid (docs/providers/aws.md). */
export const aws: RelyingParty = {
  id: 'aws',
  title: 'AWS STS',
  docs: 'docs/providers/aws.md',
  defaultAudience: awsDefaultAudience,
  limits: awsLimits,
  check: { load: async () => (await import('./check.ts')).awsTrustCheck },
  rules: { tokenProblems: tokenProblemsForAws },
  login: {
    name: 'aws',
    summary: 'assume an AWS role with the envid token and set up an AWS profile',
    description:
      'Asks envid for a token for --audience, exchanges it with STS AssumeRoleWithWebIdentity for the role ' +
      '(so that a broken trust shows now), then writes the profile (default: default) in ~/.aws/config ' +
      '(or AWS_CONFIG_FILE) with credential_process = envid idp aws-credentials …, which the AWS SDKs ' +
      'and CLI run for fresh credentials when they need them. Other profiles stay as they are. STS ' +
      'endpoint: AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, the --region’s, else sts.amazonaws.com.',
    connectionOptions: 'first',
    options: [
      { flags: '--profile <name>', description: 'AWS profile to write (default: default)' },
      ...awsOptions,
    ],
    examples: [
      'envid idp login aws --role-arn arn:aws:iam::123456789012:role/dev',
      'IDP_AWS_ROLE_ARN=arn:aws:iam::123456789012:role/dev envid idp login aws --profile dev --region eu-west-1',
    ],
    run: async (flags, context) => {
      const { runAwsLogin } = await import('./login.ts');
      await runAwsLogin(flags, context);
      return undefined;
    },
  },
  commands: [
    {
      name: 'aws-credentials',
      summary: 'print AWS credentials as credential_process JSON (written by idp login aws)',
      description:
        'Exchanges a fresh envid token with STS AssumeRoleWithWebIdentity and prints {"Version": 1, ' +
        '"AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"} for an AWS profile’s ' +
        'credential_process. `envid idp login aws` writes the profile that runs it.',
      connectionOptions: 'first',
      options: awsOptions,
      examples: ['envid idp aws-credentials --role-arn arn:aws:iam::123456789012:role/dev | jq .Expiration'],
      run: async (flags, context) => {
        const { runAwsCredentials } = await import('./login.ts');
        await runAwsCredentials(flags, context);
        return undefined;
      },
    },
  ],
  trust: awsTrust,
};

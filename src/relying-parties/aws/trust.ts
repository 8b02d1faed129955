import { usageError } from '../../shared/exit-codes.ts';
import { shellQuote } from '../../shared/shell-quote.ts';
import type { RelyingPartyOption, RelyingPartyTrust } from '../relying-party.ts';
import { placeholderWarnings, trustSetting } from '../support/trust-setting.ts';
import { scopeSlug, type TrustEnvelope, type TrustPlan, trustEnvelope } from '../trust-plan.ts';
import { awsDefaultAudience, iamProviderName } from './rules.ts';

export const awsTrustOptions: readonly RelyingPartyOption[] = [
  { flags: '--account-id <12 digits>', description: 'the AWS account of the role and the OIDC provider' },
  { flags: '--role-name <name>', description: 'the role to create (default: envid-<scope>)' },
  {
    flags: '--audience <aud>',
    description: `aud of the tokens, the provider's client ID (default: ${awsDefaultAudience})`,
  },
];

const accountPattern = /^\d{12}$/;
const roleNamePattern = /^[\w+=,.@-]{1,64}$/;

/**
 * The IAM OIDC provider (create-open-id-connect-provider's `Url` and `ClientIDList`) and the role's trust
 * policy document: `aud` with StringEquals, `sub` with StringEquals for one exact sub or StringLike with a
 * `*` after the scope's prefix (docs/providers/aws.md#setting-up-trust).
 */
export function renderAwsTrust(plan: TrustPlan, settings: Record<string, unknown>): TrustEnvelope {
  const placeholders: string[] = [];
  const audience = typeof settings['audience'] === 'string' ? settings['audience'] : awsDefaultAudience;
  const account = trustSetting(settings, 'accountId', '<ACCOUNT_ID>', placeholders);
  if (!placeholders.includes(account) && !accountPattern.test(account)) {
    throw usageError(`--account-id: "${account}" is not an AWS account ID: 12 digits`);
  }
  const roleName =
    typeof settings['roleName'] === 'string' ? settings['roleName'] : `envid-${scopeSlug(plan)}`;
  if (!roleNamePattern.test(roleName)) {
    throw usageError(
      `--role-name: "${roleName}" is not a role name: 1-64 of letters, digits and + = , . @ _ -`,
    );
  }
  const provider = iamProviderName(plan.issuer);
  const exact = plan.subject !== undefined;
  const subCondition = exact
    ? { StringEquals: { [`${provider}:aud`]: audience, [`${provider}:sub`]: plan.subject } }
    : {
        StringEquals: { [`${provider}:aud`]: audience },
        StringLike: { [`${provider}:sub`]: plan.subjectPatterns },
      };
  const trustPolicy = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::${account}:oidc-provider/${provider}` },
        // Session tags in the token need sts:TagSession too, or STS refuses the whole request.
        Action: plan.awsSessionTagKeys?.length
          ? ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession']
          : 'sts:AssumeRoleWithWebIdentity',
        Condition: subCondition,
      },
    ],
  };
  const openIdConnectProvider = { Url: plan.issuer, ClientIDList: [audience] };
  const warnings: string[] = [];
  const url = new URL(plan.issuer);
  if (url.port !== '') {
    warnings.push(
      `the issuer ${plan.issuer} has a port: AWS IAM takes no port in an OIDC provider URL (it must be https on 443), so serve envid's issuer without one (envid serve --issuer)`,
    );
  }
  if (url.protocol !== 'https:')
    warnings.push(`the issuer ${plan.issuer} is not https: AWS IAM accepts only https issuers`);
  return trustEnvelope('aws', plan, audience, {
    documents: { openIdConnectProvider, trustPolicy },
    commands: [
      `aws iam create-open-id-connect-provider --url ${shellQuote(plan.issuer)} --client-id-list ${shellQuote(audience)}`,
      `aws iam create-role --role-name ${shellQuote(roleName)} --assume-role-policy-document ${shellQuote(JSON.stringify(trustPolicy))}`,
    ],
    warnings: [
      ...warnings,
      ...(plan.awsSessionTagKeys?.length
        ? [
            `the audience profile ${plan.audienceProfile?.name ?? ''} adds session tags (${plan.awsSessionTagKeys.join(', ')}): the trust policy allows sts:TagSession, and IAM policies can test aws:PrincipalTag/<key>`,
          ]
        : []),
      'an account has one OIDC provider per issuer: when it exists already, add the audience with aws iam add-client-id-to-open-id-connect-provider instead',
      ...placeholderWarnings(placeholders, '--account-id'),
    ],
  });
}

export const awsTrust: RelyingPartyTrust = {
  summary: 'an IAM OIDC provider and a role trust policy',
  options: awsTrustOptions,
  render: renderAwsTrust,
};

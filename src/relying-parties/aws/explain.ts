import { ExitCode } from '../../shared/exit-codes.ts';
import { explainProviderError, readTokenFacts } from '../support/explain-error.ts';
import type { AssumeRoleRequest } from './exchange-request.ts';
import { iamProviderName, roleArnPattern, tokenProblemsForAws } from './rules.ts';

/** Each error code STS answers AssumeRoleWithWebIdentity with, explained with the token's claims and the role's expectations. */
export function explainStsError(request: AssumeRoleRequest, code: string, message: string) {
  const facts = readTokenFacts(request.token);
  const account = roleArnPattern.exec(request.roleArn)?.[1] ?? '<account>';
  const provider = iamProviderName(facts.iss);
  const providerArn = `arn:aws:iam::${account}:oidc-provider/${provider}`;
  const base = {
    provider: 'AWS STS',
    code,
    token: request.token,
    providerMessage: message,
    noticed: tokenProblemsForAws(request.token),
  };
  switch (code) {
    case 'InvalidIdentityToken':
      if (/no openid ?connect provider/i.test(message)) {
        return explainProviderError({
          ...base,
          meaning: `account ${account} has no IAM OIDC identity provider for the token's issuer`,
          rule: {
            holder: `the IAM OIDC identity providers of account ${account}`,
            values: { URL: facts.iss, 'client ID': facts.aud },
          },
          nextStep: `create it: aws iam create-open-id-connect-provider --url ${facts.iss} --client-id-list ${facts.aud} (the URL must be https and equal iss)`,
        });
      }
      if (/audience/i.test(message)) {
        return explainProviderError({
          ...base,
          meaning: `the token's audience is not in the client ID list of ${providerArn}`,
          rule: { holder: `the client ID list of ${providerArn}`, values: { 'client ID': facts.aud } },
          nextStep: `add it: aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn ${providerArn} --client-id ${facts.aud} (or pass --audience with a registered client ID)`,
        });
      }
      return explainProviderError({
        ...base,
        meaning: 'STS could not validate the token (issuer, signature or key)',
        nextStep: `check that ${facts.iss}/.well-known/openid-configuration and its jwks_uri are reachable from the internet over https and that the IAM OIDC provider URL is exactly ${facts.iss}`,
      });
    case 'ExpiredTokenException':
      return explainProviderError({
        ...base,
        meaning: 'the token had expired (or was not yet valid) when STS read it',
        nextStep: 'check the clock of this machine and of the envid server, then run the login again',
      });
    case 'IDPCommunicationError':
      return explainProviderError({
        ...base,
        meaning: "STS could not fetch the issuer's discovery document or keys in time",
        nextStep: `make sure ${facts.iss}/.well-known/openid-configuration and its JWKS answer over https from the internet within 5 s, then retry`,
      });
    case 'IDPRejectedClaim':
      return explainProviderError({
        ...base,
        meaning: 'the identity provider rejected a claim of the token',
        nextStep: 'check the token claims with `envid idp token --audience <aud> --decode`',
      });
    case 'AccessDenied':
      return explainProviderError({
        ...base,
        meaning: `the trust policy of ${request.roleArn} does not allow this token (principal or a condition on sub/aud)`,
        // STS does not say which statement or condition failed: what one statement must hold for this token.
        rule: {
          holder: `the trust policy of ${request.roleArn}`,
          values: {
            Principal: `{"Federated": "${providerArn}"}`,
            Condition: `StringEquals ${provider}:sub = ${facts.sub}, ${provider}:aud = ${facts.aud} (or StringLike patterns matching them)`,
          },
        },
        nextStep: `allow sts:AssumeRoleWithWebIdentity for that principal with conditions matching the token's sub and aud (StringLike accepts * and ?), e.g. aws iam update-assume-role-policy --role-name ${request.roleArn.split('/').pop()} --policy-document file://trust.json`,
      });
    case 'MalformedPolicyDocument':
      return explainProviderError({
        ...base,
        meaning: 'a policy in the request or the role is malformed',
        nextStep: `fix the trust or session policy of ${request.roleArn} (aws iam get-role --role-name ${request.roleArn.split('/').pop()})`,
      });
    case 'ValidationError':
      return explainProviderError({
        ...base,
        meaning: 'STS refused a parameter of the request',
        expected: { DurationSeconds: `${request.durationSeconds} within the role's MaxSessionDuration` },
        nextStep: /duration/i.test(message)
          ? "pass a lower --duration-seconds, or raise the role's maximum session duration"
          : 'check --role-arn and --role-session-name',
        exitCode: ExitCode.usage,
      });
    default:
      return explainProviderError({
        ...base,
        meaning: 'STS refused the request',
        nextStep:
          'see the provider’s message above and the AWS STS AssumeRoleWithWebIdentity error reference',
      });
  }
}

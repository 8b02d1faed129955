import { readUnverifiedJwt } from '../../core/tokens/unverified-jwt.ts';
import { usageError } from '../../shared/exit-codes.ts';
import { awsLimits } from './limits.ts';

/**
 * What envid knows about AWS (docs/providers/aws.md): the rules STS applies to AssumeRoleWithWebIdentity,
 * to the login's settings and to a token. The request itself (unsigned Query API, XML answer) and the
 * Version 1 JSON that a `credential_process` prints are in exchange.ts, its error codes explained in
 * explain.ts.
 */
export const awsDefaultAudience = 'sts.amazonaws.com';
export const awsDurationRange = { min: 900, max: 43_200, default: 3_600 } as const;
const sessionNamePattern = /^[\w+=,.@-]{2,64}$/;
export const roleArnPattern = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;
const regionPattern = /^[a-z]{2}(-[a-z]+)+-\d+$/;

const awsAlgorithms = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512'];

/**
 * What STS would refuse in a token whatever the IAM set-up says (docs/providers/aws.md): a length outside 4 to
 * 20,000 characters, an algorithm it does not support, an issuer that is not https or longer than an
 * IAM OIDC provider URL (255 characters).
 */
export function tokenProblemsForAws(token: string): string[] {
  const problems: string[] = [];
  const { min, max } = awsLimits.tokenLength;
  if (token.length < min || token.length > max)
    problems.push(
      `the token has ${token.length} characters; STS accepts ${min} to ${max.toLocaleString('en-US')}`,
    );
  const { header, claims } = readUnverifiedJwt(token);
  if (header === undefined || claims === undefined) return [...problems, 'the token is not a JWT'];
  if (!awsAlgorithms.includes(String(header['alg'])))
    problems.push(`alg is ${String(header['alg'])}; STS accepts ${awsAlgorithms.join(', ')}`);
  const iss = typeof claims['iss'] === 'string' ? claims['iss'] : '';
  if (!iss.startsWith('https://'))
    problems.push(`iss ${iss} is not https; IAM OIDC providers need an https URL`);
  if (iss.length > awsLimits.issuer.max)
    problems.push(
      `iss has ${iss.length} characters; an IAM OIDC provider URL holds at most ${awsLimits.issuer.max}`,
    );
  return problems;
}

/** `arn:aws:iam::<12 digits>:role/<path/name>` (also aws-cn, aws-us-gov); answers the account ID. */
export function checkRoleArn(value: string, flag = '--role-arn'): string {
  const match = roleArnPattern.exec(value);
  if (!match) {
    throw usageError(
      `invalid ${flag} ${JSON.stringify(value)}: must be a role ARN such as arn:aws:iam::123456789012:role/dev`,
    );
  }
  return match[1]!;
}

/** DurationSeconds: an integer from 900 to 43,200 (the role's MaxSessionDuration may cap it lower). */
export function parseDurationSeconds(value: string | undefined, flag = '--duration-seconds'): number {
  if (value === undefined) return awsDurationRange.default;
  const seconds = Number(value);
  if (!/^\d+$/.test(value) || seconds < awsDurationRange.min || seconds > awsDurationRange.max) {
    throw usageError(
      `invalid ${flag} ${JSON.stringify(value)}: must be whole seconds from 900 (15 min) to 43200 (12 h); the role's maximum session duration may allow less`,
    );
  }
  return seconds;
}

/** RoleSessionName: 2 to 64 characters of letters, digits and `_+=,.@-`. */
export function checkSessionName(value: string, flag = '--role-session-name'): string {
  if (!sessionNamePattern.test(value)) {
    throw usageError(
      `invalid ${flag} ${JSON.stringify(value)}: must be 2 to 64 characters of letters, digits and _+=,.@-`,
    );
  }
  return value;
}

export function checkRegion(value: string, flag = '--region'): string {
  if (!regionPattern.test(value)) {
    throw usageError(`invalid ${flag} ${JSON.stringify(value)}: must be an AWS region such as eu-west-1`);
  }
  return value;
}

/**
 * The default session name: `envid-<principal id>-<unix seconds>`, so that CloudTrail shows which
 * environment (or user, service account, runner) assumed the role, and when. V3 tokens carry the ID in
 * their own claim; V2 tokens only in `gsub.id` (docs/tokens.md).
 */
export function defaultSessionName(token: string, now: Date): string {
  // Without claims it falls back to the time alone.
  const claims = readUnverifiedJwt(token).claims ?? {};
  const gsub = claims['gsub'] as { id?: unknown } | undefined;
  const id = [
    ...['environment_id', 'service_account_id', 'user_id', 'runner_id'].map((key) => claims[key]),
    gsub?.id,
  ].find((value): value is string => typeof value === 'string' && value !== '');
  const time = String(Math.floor(now.getTime() / 1000));
  const principal = (id ?? 'session')
    .replace(/[^\w+=,.@-]/g, '-')
    .slice(0, 64 - 'envid--'.length - time.length);
  return `envid-${principal}-${time}`;
}

/**
 * The STS endpoint the AWS SDKs would use: AWS_ENDPOINT_URL_STS, else AWS_ENDPOINT_URL, else the
 * regional endpoint of `region`, else the global https://sts.amazonaws.com.
 */
export function stsEndpoint(env: NodeJS.ProcessEnv, region: string | undefined): string {
  const configured = env['AWS_ENDPOINT_URL_STS'] || env['AWS_ENDPOINT_URL'];
  if (configured) return configured.replace(/\/+$/, '');
  return region ? `https://sts.${region}.amazonaws.com` : 'https://sts.amazonaws.com';
}

/** `<issuer host+path>` as IAM names the OIDC provider and its condition keys. */
export function iamProviderName(issuer: string): string {
  return issuer.replace(/^https?:\/\//, '').replace(/\/$/, '');
}

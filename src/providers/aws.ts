import { ExitCode, usageError } from '../cli/exit-codes.ts';
import { explainProviderError, providerUnreachable, readTokenFacts } from './explain-error.ts';

/**
 * What envid knows about AWS (docs/providers/aws.md): the rules STS applies to AssumeRoleWithWebIdentity,
 * the request itself (unsigned Query API, XML answer), its error codes explained, and the Version 1 JSON
 * that a `credential_process` prints.
 */
export const awsDefaultAudience = 'sts.amazonaws.com';
export const awsDurationRange = { min: 900, max: 43_200, default: 3_600 } as const;
const sessionNamePattern = /^[\w+=,.@-]{2,64}$/;
const roleArnPattern = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;
const regionPattern = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const stsVersion = '2011-06-15';
const requestTimeoutMs = 30_000;

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** ISO 8601, as STS answers it. */
  expiration: string;
  assumedRoleArn?: string;
  subjectFromWebIdentityToken?: string;
}

const awsAlgorithms = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512'];

/**
 * What STS would refuse in a token whatever the IAM set-up says (docs/providers/aws.md): a length outside 4 to
 * 20,000 characters, an algorithm it does not support, an issuer that is not https or longer than an
 * IAM OIDC provider URL (255 characters).
 */
export function tokenProblemsForAws(token: string): string[] {
  const problems: string[] = [];
  if (token.length < 4 || token.length > 20_000)
    problems.push(`the token has ${token.length} characters; STS accepts 4 to 20,000`);
  let header: Record<string, unknown> = {};
  let claims: Record<string, unknown> = {};
  try {
    const [h, c] = token.split('.');
    header = JSON.parse(Buffer.from(h ?? '', 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(c ?? '', 'base64url').toString('utf8'));
  } catch {
    return [...problems, 'the token is not a JWT'];
  }
  if (!awsAlgorithms.includes(String(header['alg'])))
    problems.push(`alg is ${String(header['alg'])}; STS accepts ${awsAlgorithms.join(', ')}`);
  const iss = typeof claims['iss'] === 'string' ? claims['iss'] : '';
  if (!iss.startsWith('https://'))
    problems.push(`iss ${iss} is not https; IAM OIDC providers need an https URL`);
  if (iss.length > 255)
    problems.push(`iss has ${iss.length} characters; an IAM OIDC provider URL holds at most 255`);
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
 * environment (or user, service account, runner) assumed the role, and when.
 */
export function defaultSessionName(token: string, now: Date): string {
  let claims: Record<string, unknown> = {};
  try {
    claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
  } catch {
    // Falls back to the time alone.
  }
  const id = ['environment_id', 'service_account_id', 'user_id', 'runner_id']
    .map((key) => claims[key])
    .find((value): value is string => typeof value === 'string' && value !== '');
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

export interface AssumeRoleRequest {
  endpoint: string;
  roleArn: string;
  sessionName: string;
  durationSeconds: number;
  token: string;
  /** The audience the token was asked for, to explain an audience refusal. */
  audience: string;
}

/** AssumeRoleWithWebIdentity (unsigned Query API). A refusal throws one explained CliError. */
export async function assumeRoleWithWebIdentity(request: AssumeRoleRequest): Promise<AwsCredentials> {
  const body = new URLSearchParams({
    Action: 'AssumeRoleWithWebIdentity',
    Version: stsVersion,
    RoleArn: request.roleArn,
    RoleSessionName: request.sessionName,
    WebIdentityToken: request.token,
    DurationSeconds: String(request.durationSeconds),
  });
  let response: Response;
  try {
    response = await fetch(`${request.endpoint}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body,
      signal: AbortSignal.timeout(requestTimeoutMs),
    });
  } catch (error) {
    throw providerUnreachable('AWS STS', request.endpoint, error);
  }
  const xml = await response.text();
  if (response.ok) {
    const credentials = {
      accessKeyId: xmlValue(xml, 'AccessKeyId'),
      secretAccessKey: xmlValue(xml, 'SecretAccessKey'),
      sessionToken: xmlValue(xml, 'SessionToken'),
      expiration: xmlValue(xml, 'Expiration'),
    };
    if (Object.values(credentials).some((value) => value === undefined)) {
      throw explainStsError(request, 'UnexpectedResponse', `HTTP ${response.status} without Credentials`);
    }
    const assumedRoleArn = xmlValue(xml, 'Arn');
    const subject = xmlValue(xml, 'SubjectFromWebIdentityToken');
    return {
      ...(credentials as Omit<AwsCredentials, 'assumedRoleArn' | 'subjectFromWebIdentityToken'>),
      ...(assumedRoleArn !== undefined ? { assumedRoleArn } : {}),
      ...(subject !== undefined ? { subjectFromWebIdentityToken: subject } : {}),
    };
  }
  const code = xmlValue(xml, 'Code') ?? `HTTP ${response.status}`;
  throw explainStsError(request, code, xmlValue(xml, 'Message') ?? xml.slice(0, 200));
}

/** What `credential_process` prints (the AWS SDKs' and CLI's Version 1 format). */
export function credentialProcessJson(credentials: AwsCredentials): string {
  return JSON.stringify({
    Version: 1,
    AccessKeyId: credentials.accessKeyId,
    SecretAccessKey: credentials.secretAccessKey,
    SessionToken: credentials.sessionToken,
    Expiration: credentials.expiration,
  });
}

/** `<issuer host+path>` as IAM names the OIDC provider and its condition keys. */
export function iamProviderName(issuer: string): string {
  return issuer.replace(/^https?:\/\//, '').replace(/\/$/, '');
}

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
          expected: { 'IAM OIDC provider URL': facts.iss },
          nextStep: `create it: aws iam create-open-id-connect-provider --url ${facts.iss} --client-id-list ${facts.aud} (the URL must be https and equal iss)`,
        });
      }
      if (/audience/i.test(message)) {
        return explainProviderError({
          ...base,
          meaning: `the token's audience is not in the client ID list of ${providerArn}`,
          expected: { aud: `one of the provider's client IDs (envid asked for ${request.audience})` },
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
        expected: {
          Principal: `{"Federated": "${providerArn}"}`,
          Condition: `StringEquals ${provider}:sub = ${facts.sub}, ${provider}:aud = ${facts.aud}`,
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

function xmlValue(xml: string, tag: string): string | undefined {
  const match = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  if (!match) return undefined;
  return match[1]!
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

import { providerUnreachable } from '../support/explain-error.ts';
import type { AssumeRoleRequest } from './exchange-request.ts';
import { explainStsError } from './explain.ts';

/** STS AssumeRoleWithWebIdentity (HTTP) and the credentials it answers. */
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

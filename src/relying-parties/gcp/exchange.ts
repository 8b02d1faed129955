import { type ProviderRequest, postToProvider } from '../support/post-to-provider.ts';
import { jwtTokenType } from './credential-configuration.ts';
import { stsAudience, type WorkloadIdentityProvider } from './rules.ts';

/** Google STS's token exchange and IAM Credentials' service account impersonation (HTTP). */
export const googleStsUrl = 'https://sts.googleapis.com/v1/token';
export const googleIamCredentialsUrl = 'https://iamcredentials.googleapis.com';
export const cloudPlatformScope = 'https://www.googleapis.com/auth/cloud-platform';
export const tokenExchangeGrant = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const accessTokenType = 'urn:ietf:params:oauth:token-type:access_token';

/** The IAM Credentials `generateAccessToken` URL for a service account. */
export function impersonationUrl(iamCredentialsBase: string, serviceAccount: string): string {
  const base = iamCredentialsBase.replace(/\/+$/, '');
  return `${base}/v1/projects/-/serviceAccounts/${encodeURIComponent(serviceAccount)}:generateAccessToken`;
}

/** The form of Google STS's token exchange (RFC 8693) for a JWT. */
export function stsExchangeForm(provider: WorkloadIdentityProvider, subjectToken: string): URLSearchParams {
  return new URLSearchParams({
    grant_type: tokenExchangeGrant,
    audience: stsAudience(provider),
    scope: cloudPlatformScope,
    requested_token_type: accessTokenType,
    subject_token: subjectToken,
    subject_token_type: jwtTokenType,
  });
}

/** A refusal from Google: STS's OAuth error, or IAM Credentials' `{error: {code, status, message}}`. */
export class GoogleError extends Error {
  constructor(
    readonly service: 'sts' | 'iamcredentials',
    readonly status: number,
    /** `invalid_grant`, `invalid_target`, …, or for IAM Credentials `PERMISSION_DENIED`, `NOT_FOUND`, … */
    readonly code: string,
    readonly description: string,
  ) {
    super(`${code}: ${description}`);
    this.name = 'GoogleError';
  }
}

export interface GoogleAccessToken {
  accessToken: string;
  /** Seconds from now, when Google says. */
  expiresInSeconds?: number;
}

async function postToGoogle(
  service: GoogleError['service'],
  url: string,
  init: ProviderRequest,
): Promise<Record<string, unknown>> {
  const response = await postToProvider(url, init);
  const { text, json } = response;
  if (response.ok && json) return json;
  if (service === 'sts') {
    const code = typeof json?.['error'] === 'string' ? json['error'] : `HTTP ${response.status}`;
    const description =
      typeof json?.['error_description'] === 'string' ? json['error_description'] : text.slice(0, 300);
    throw new GoogleError(service, response.status, code, description);
  }
  const error = (json?.['error'] ?? {}) as { status?: unknown; message?: unknown };
  throw new GoogleError(
    service,
    response.status,
    typeof error.status === 'string' ? error.status : `HTTP ${response.status}`,
    typeof error.message === 'string' ? error.message : text.slice(0, 300),
  );
}

/** Exchanges an envid token at Google STS for a federated access token. */
export async function exchangeAtSts(
  stsUrl: string,
  provider: WorkloadIdentityProvider,
  subjectToken: string,
): Promise<GoogleAccessToken> {
  const json = await postToGoogle('sts', stsUrl, {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: stsExchangeForm(provider, subjectToken),
  });
  if (typeof json['access_token'] !== 'string') {
    throw new GoogleError('sts', 200, 'invalid_response', 'the answer has no access_token');
  }
  return {
    accessToken: json['access_token'],
    ...(typeof json['expires_in'] === 'number' ? { expiresInSeconds: json['expires_in'] } : {}),
  };
}

/** Trades a federated access token for a service account's (IAM Credentials generateAccessToken). */
export async function impersonateServiceAccount(
  url: string,
  federatedToken: string,
): Promise<GoogleAccessToken> {
  const json = await postToGoogle('iamcredentials', url, {
    headers: { 'content-type': 'application/json', authorization: `Bearer ${federatedToken}` },
    body: JSON.stringify({ scope: [cloudPlatformScope], lifetime: '3600s' }),
  });
  if (typeof json['accessToken'] !== 'string') {
    throw new GoogleError('iamcredentials', 200, 'invalid_response', 'the answer has no accessToken');
  }
  return { accessToken: json['accessToken'] };
}

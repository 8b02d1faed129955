import { stsAudience, type WorkloadIdentityProvider } from './rules.ts';

/** What Google's tools read: the `external_account` credential configuration and the executable's answer. */
export const jwtTokenType = 'urn:ietf:params:oauth:token-type:jwt';
export const idTokenType = 'urn:ietf:params:oauth:token-type:id_token';
/** An executable credential source may take 5-120 s; envid answers in well under 30 s. */
export const executableTimeoutMillis = 30_000;

export interface CredentialConfigurationOptions {
  provider: WorkloadIdentityProvider;
  tokenUrl: string;
  /** The generateAccessToken URL when a service account is impersonated. */
  serviceAccountImpersonationUrl?: string;
  /** The executable that prints the subject token (Google splits it on spaces; quote paths with spaces). */
  command: string;
  /** Where the executable caches its answer (GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE). */
  outputFile: string;
}

/**
 * The `external_account` credential configuration (ADC file, `gcloud auth login --cred-file`) with an
 * executable credential source. Its audience is always the provider's resource name (STS's audience);
 * the JWT's own `aud` is the executable's business.
 */
export function credentialConfiguration(options: CredentialConfigurationOptions): Record<string, unknown> {
  return {
    type: 'external_account',
    audience: stsAudience(options.provider),
    subject_token_type: jwtTokenType,
    token_url: options.tokenUrl,
    // gcloud names an account without impersonation by introspecting its access token here.
    token_info_url: tokenInfoUrl(options.tokenUrl),
    ...(options.serviceAccountImpersonationUrl
      ? { service_account_impersonation_url: options.serviceAccountImpersonationUrl }
      : {}),
    credential_source: {
      executable: {
        command: options.command,
        timeout_millis: executableTimeoutMillis,
        output_file: options.outputFile,
      },
    },
  };
}

/** STS's introspection endpoint beside its token endpoint (`…/v1/token` -> `…/v1/introspect`). */
export function tokenInfoUrl(tokenUrl: string): string {
  return /\/token$/.test(tokenUrl)
    ? tokenUrl.replace(/\/token$/, '/introspect')
    : new URL('/v1/introspect', tokenUrl).href;
}

/** Google's executable response for a JWT; `expiration_time` is when the cached answer stops being used. */
export function executableSuccess(token: string, expirationTime: number): Record<string, unknown> {
  return {
    version: 1,
    success: true,
    token_type: jwtTokenType,
    id_token: token,
    expiration_time: expirationTime,
  };
}

export function executableFailure(code: string, message: string): Record<string, unknown> {
  return { version: 1, success: false, code, message };
}

/** Token types an executable may be asked for (GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE) that a JWT serves. */
export function servesTokenType(tokenType: string | undefined): boolean {
  return (
    tokenType === undefined || tokenType === '' || tokenType === jwtTokenType || tokenType === idTokenType
  );
}

import { type ProviderRequest, postToProvider } from './post-to-provider.ts';

/**
 * Google Cloud Workload Identity Federation: what Google checks in a token, the STS token exchange,
 * service account impersonation, the `external_account` credential configuration its tools read, the
 * executable-sourced credential response, and what each of its errors means. The single place for
 * Google's rules (from Google's documentation; the user's side: docs/providers/gcp.md).
 */

export const googleStsUrl = 'https://sts.googleapis.com/v1/token';
export const googleIamCredentialsUrl = 'https://iamcredentials.googleapis.com';
export const cloudPlatformScope = 'https://www.googleapis.com/auth/cloud-platform';
export const tokenExchangeGrant = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const jwtTokenType = 'urn:ietf:params:oauth:token-type:jwt';
export const idTokenType = 'urn:ietf:params:oauth:token-type:id_token';
export const accessTokenType = 'urn:ietf:params:oauth:token-type:access_token';

/** Google refuses a token whose `exp` is 48 h or more after its `iat`. */
export const maxTokenLifetimeSeconds = 48 * 3600;
/** `google.subject` (mapped from `sub` in the usual `google.subject=assertion.sub`) holds at most 127 bytes. */
export const maxGoogleSubjectBytes = 127;
/** An executable credential source may take 5-120 s; envid answers in well under 30 s. */
export const executableTimeoutMillis = 30_000;

const providerNamePattern =
  /^projects\/(\d+)\/locations\/global\/workloadIdentityPools\/([a-z0-9-]{4,32})\/providers\/([a-z0-9-]{4,32})$/;

export interface WorkloadIdentityProvider {
  /** `projects/N/locations/global/workloadIdentityPools/P/providers/R` */
  name: string;
  projectNumber: string;
  pool: string;
  provider: string;
}

/**
 * Parses `--workload-identity-provider`: the provider's full resource name with the project *number*
 * (Google's STS audience). A leading `//iam.googleapis.com/` (or `https://iam.googleapis.com/`) is
 * accepted and dropped. Throws an Error whose message says what is expected.
 */
export function parseWorkloadIdentityProvider(value: string): WorkloadIdentityProvider {
  const name = value.trim().replace(/^(?:https:)?\/\/iam\.googleapis\.com\//, '');
  const match = providerNamePattern.exec(name);
  if (!match) {
    const hint = /^projects\/[^/\d][^/]*\//.test(name)
      ? ' (it takes the project number, not the project ID: `gcloud projects describe PROJECT_ID --format=value(projectNumber)`)'
      : '';
    throw new Error(
      `expected projects/<project number>/locations/global/workloadIdentityPools/<pool>/providers/<provider> ` +
        `(pool and provider IDs 4-32 of a-z 0-9 -), got ${JSON.stringify(value)}${hint}`,
    );
  }
  return { name, projectNumber: match[1]!, pool: match[2]!, provider: match[3]! };
}

/** The audience Google accepts when the provider lists no allowed audiences, and the STS `audience`. */
export function stsAudience(provider: WorkloadIdentityProvider): string {
  return `//iam.googleapis.com/${provider.name}`;
}

/** A project ID (6-30 of a-z 0-9 -, starting with a letter), as `--project` takes it. */
export function parseProjectId(value: string): string {
  const project = value.trim();
  if (!/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(project)) {
    throw new Error(
      `expected a project ID such as my-project-123 (6-30 of a-z 0-9 -, starting with a letter), got ${JSON.stringify(value)}`,
    );
  }
  return project;
}

/** A service account's e-mail, as `--service-account` takes it; throws an Error saying what is expected. */
export function parseServiceAccountEmail(value: string): string {
  const email = value.trim();
  if (!/^[a-z0-9][a-z0-9-]*@[a-z0-9][a-z0-9.-]*\.gserviceaccount\.com$/.test(email)) {
    throw new Error(
      `expected a service account e-mail such as deploy@my-project.iam.gserviceaccount.com, got ${JSON.stringify(value)}`,
    );
  }
  return email;
}

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

/** Claims Google reads, decoded from the token (never verified here: it came from envid). */
export interface GoogleTokenFacts {
  sub?: unknown;
  aud?: unknown;
  iat?: unknown;
  exp?: unknown;
}

/**
 * What Google would refuse in a token before any exchange, as sentences (empty when nothing): an
 * audience it will not accept when the provider keeps the default, a `sub` too long for
 * `google.subject`, a lifetime of 48 h or more.
 */
export function tokenProblemsForGoogle(
  claims: GoogleTokenFacts,
  provider: WorkloadIdentityProvider,
  audienceIsDefault: boolean,
): string[] {
  const problems: string[] = [];
  if (typeof claims.sub !== 'string' || claims.sub === '') problems.push('the token has no `sub`');
  else if (Buffer.byteLength(claims.sub) > maxGoogleSubjectBytes) {
    problems.push(
      `its sub is ${Buffer.byteLength(claims.sub)} bytes, more than google.subject's ${maxGoogleSubjectBytes}`,
    );
  }
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  const accepted = [stsAudience(provider), `https:${stsAudience(provider)}`];
  if (audienceIsDefault && !audiences.some((aud) => accepted.includes(aud as string))) {
    problems.push(`its aud is not ${stsAudience(provider)}`);
  }
  if (typeof claims.iat === 'number' && typeof claims.exp === 'number') {
    if (claims.exp - claims.iat >= maxTokenLifetimeSeconds) problems.push('it lives 48 h or more');
  }
  return problems;
}

/** What a Google refusal means and what to do, for src/providers/explain-error.ts. */
export interface GoogleErrorExplanation {
  meaning: string;
  /** What Google expected, where the login's settings or Google's message say. */
  expected: Record<string, string | undefined>;
  nextStep: string;
}

export interface GoogleLoginContext {
  provider: WorkloadIdentityProvider;
  /** The JWT's audience the login asked envid for. */
  audience: string;
  serviceAccount?: string;
}

/** Explains each documented Google STS / IAM Credentials error. */
export function explainGoogleError(error: GoogleError, context: GoogleLoginContext): GoogleErrorExplanation {
  const { provider } = context;
  const providerRef = `${provider.provider} in pool ${provider.pool} of project ${provider.projectNumber}`;
  const describeProvider =
    `gcloud iam workload-identity-pools providers describe ${provider.provider} --workload-identity-pool=${provider.pool} ` +
    `--location=global --project=${provider.projectNumber}`;
  const description = error.description.toLowerCase();
  if (error.service === 'iamcredentials') {
    if (error.code === 'PERMISSION_DENIED' || error.status === 403 || error.code === 'NOT_FOUND') {
      const principal = `principalSet://iam.googleapis.com/projects/${provider.projectNumber}/locations/global/workloadIdentityPools/${provider.pool}/*`;
      return {
        meaning:
          'the federated identity may not impersonate the service account: it lacks roles/iam.workloadIdentityUser on it, or the service account does not exist',
        expected: { 'service account': context.serviceAccount },
        nextStep:
          `grant it, e.g. \`gcloud iam service-accounts add-iam-policy-binding ${context.serviceAccount} ` +
          `--role=roles/iam.workloadIdentityUser --member="${principal}"\` (or a principal:// member for one subject), ` +
          'or check the e-mail passed to --service-account',
      };
    }
    return {
      meaning: 'IAM Credentials refused to issue an access token for the service account',
      expected: { 'service account': context.serviceAccount },
      nextStep:
        'check that the IAM Credentials API (iamcredentials.googleapis.com) is enabled in the project',
    };
  }
  switch (error.code) {
    case 'invalid_request':
      return {
        meaning:
          'STS did not accept the request; usually the audience is not a workload identity provider resource name',
        expected: { audience: stsAudience(provider) },
        nextStep: `check --workload-identity-provider (project number, pool and provider IDs): ${describeProvider}`,
      };
    case 'invalid_target':
      return {
        meaning: `the workload identity pool or provider (${providerRef}) does not exist, was deleted, or is disabled`,
        expected: { provider: provider.name },
        nextStep: `check it exists and is enabled: ${describeProvider}`,
      };
    case 'unauthorized_client':
      return {
        meaning: "the token was rejected by the provider's attribute condition",
        expected: {},
        nextStep: `compare the condition (${describeProvider} --format='value(attributeCondition)') with the token's claims (\`envid idp token --audience ${context.audience} --decode\`)`,
      };
    case 'invalid_grant':
      return explainInvalidGrant(description, context, describeProvider);
    default:
      return {
        meaning: `Google STS answered HTTP ${error.status}`,
        expected: {},
        nextStep: 'retry later; if it persists, check the provider and Google Cloud status',
      };
  }
}

function explainInvalidGrant(
  description: string,
  context: GoogleLoginContext,
  describeProvider: string,
): GoogleErrorExplanation {
  const { provider } = context;
  if (description.includes('audience')) {
    const update =
      `gcloud iam workload-identity-pools providers update-oidc ${provider.provider} ` +
      `--workload-identity-pool=${provider.pool} --location=global --allowed-audiences=${context.audience}`;
    const isDefault = context.audience === stsAudience(provider);
    return {
      meaning: "the token's aud is not one the provider accepts",
      expected: {
        aud: isDefault
          ? `one of the provider's allowedAudiences (they replace the default ${context.audience})`
          : `${stsAudience(provider)}, or one of the provider's allowedAudiences`,
      },
      nextStep: isDefault
        ? `pass one of the provider's allowed audiences with --audience, or add this one (${update}; the list replaces the old one)`
        : `log in without --audience (the default is the provider's resource name), or add this one (${update}; the list replaces the old one)`,
    };
  }
  if (description.includes('issuer')) {
    return {
      meaning: "the token's iss is not the provider's issuer URI",
      expected: { iss: "the provider's issuerUri" },
      nextStep: `set the provider's --issuer-uri to envid's issuer exactly (as discovery says, trailing slash included): ${describeProvider}`,
    };
  }
  // Not any "127": Google's messages carry timestamps and addresses (`issued at 1795912755`, 127.0.0.1).
  if (description.includes('google.subject') || /\b127 bytes\b/.test(description)) {
    return {
      meaning: `google.subject, mapped from the token, is longer than ${maxGoogleSubjectBytes} bytes`,
      expected: { 'google.subject': `at most ${maxGoogleSubjectBytes} bytes` },
      nextStep:
        "map google.subject from a shorter claim (e.g. --attribute-mapping=google.subject=assertion.environment_id) or remove extra sub fields from the organization's OIDC configuration",
    };
  }
  if (/expired|stale|lifetime|\biat\b|\bexp\b|not yet valid|future/.test(description)) {
    return {
      meaning: "the token's time claims were refused (expired, issued in the future, or living 48 h or more)",
      expected: { time: 'iat in the past, exp in the future, exp - iat < 48 h' },
      nextStep: "check this machine's and envid's clocks, then log in again",
    };
  }
  if (/signature|jwk|key|kid/.test(description)) {
    return {
      meaning: "the token's signature could not be verified with the keys of envid's JWKS",
      expected: { kid: "a key in envid's JWKS" },
      nextStep:
        "check that envid's discovery and JWKS are reachable from the internet at the provider's issuer URI, or upload the JWKS to the provider (--jwk-json-path) again after a key rotation",
    };
  }
  return {
    meaning: 'Google STS refused the token',
    expected: {},
    nextStep: `compare the provider (${describeProvider}) with the token (\`envid idp token --audience ${context.audience} --decode\`)`,
  };
}

import { readUnverifiedJwt } from '../../core/tokens/unverified-jwt.ts';
import { googleLimits } from './limits.ts';

/**
 * Google Cloud Workload Identity Federation's rules: the workload identity provider's resource name,
 * the audience Google accepts, the project and service account a login takes, and what Google checks
 * in a token. From Google's documentation (the user's side: docs/providers/gcp.md); the exchange is in
 * exchange.ts, its errors explained in explain.ts, what the tools read in credential-configuration.ts.
 */

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
  /** Without one, the audience is not checked. */
  provider: WorkloadIdentityProvider | undefined,
  audienceIsDefault: boolean,
): string[] {
  const problems: string[] = [];
  if (typeof claims.sub !== 'string' || claims.sub === '') problems.push('the token has no `sub`');
  else if (Buffer.byteLength(claims.sub) > googleLimits.subject.max) {
    problems.push(
      `its sub is ${Buffer.byteLength(claims.sub)} bytes, more than google.subject's ${googleLimits.subject.max}`,
    );
  }
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (provider !== undefined && audienceIsDefault) {
    const accepted = [stsAudience(provider), `https:${stsAudience(provider)}`];
    if (!audiences.some((aud) => accepted.includes(aud as string))) {
      problems.push(`its aud is not ${stsAudience(provider)}`);
    }
  }
  if (typeof claims.iat === 'number' && typeof claims.exp === 'number') {
    if (claims.exp - claims.iat >= googleLimits.tokenLifetimeSeconds) problems.push('it lives 48 h or more');
  }
  return problems;
}

/** What Google refuses in any token, whichever provider it is for (the audience depends on one). */
export function googleTokenProblems(token: string): string[] {
  return tokenProblemsForGoogle(readUnverifiedJwt(token).claims ?? {}, undefined, false);
}

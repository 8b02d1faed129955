import { CliError, ExitCode } from '../../shared/exit-codes.ts';

/** The two public documents of an issuer, as served, with where each goes under the issuer. */
export interface IssuerDocuments {
  issuer: string;
  discovery: PublicDocument;
  jwks: PublicDocument & { keyIds: string[] };
}

export interface PublicDocument {
  /** The path under the issuer (`/.well-known/…`): where the static host must serve it. */
  path: string;
  /** The body exactly as served. */
  body: string;
  etag: string | undefined;
}

export const discoveryPath = '/.well-known/openid-configuration';

/** JWK members that only a private or symmetric key has: never published. */
const privateMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Checks a discovery document fetched from an envid server before anything is written: its issuer must be
 * one a static host can serve (https, not the server's own loopback address, and `expectedIssuer` when
 * given), and its `jwks_uri` must lie under the issuer, so that both files have a place in the directory.
 * Answers the issuer and the JWKS path under it.
 */
export function checkDiscovery(
  body: string,
  expectedIssuer: string | undefined,
): { issuer: string; jwksPath: string } {
  const document = parseObject(body, 'the discovery document');
  const { issuer, jwks_uri: jwksUri } = document;
  if (typeof issuer !== 'string' || typeof jwksUri !== 'string') {
    throw notAnIssuer('the discovery document has no "issuer" or "jwks_uri" string');
  }
  if (expectedIssuer !== undefined && issuer !== expectedIssuer) {
    throw new CliError(
      `the server's issuer is ${issuer}, not ${expectedIssuer} (--issuer): relying parties would refuse its tokens from the static host; start envid serve with --issuer ${expectedIssuer}`,
      ExitCode.usage,
    );
  }
  const url = new URL(issuer);
  if (url.protocol !== 'https:') {
    throw new CliError(
      `the server's issuer is ${issuer}: a static host serves https, and relying parties accept only an https issuer; start envid serve with --issuer https://<the static host>`,
      ExitCode.usage,
    );
  }
  if (loopbackHosts.has(url.hostname)) {
    throw new CliError(
      `the server's issuer is its own loopback address (${issuer}): start envid serve with --issuer https://<the static host>`,
      ExitCode.usage,
    );
  }
  const base = issuer.replace(/\/$/, '');
  if (!jwksUri.startsWith(`${base}/`)) {
    throw notAnIssuer(`its jwks_uri ${jwksUri} is not under the issuer ${issuer}`);
  }
  const jwksPath = new URL(jwksUri).pathname.slice(new URL(`${base}/`).pathname.length - 1);
  if (new URL(jwksUri).search !== '' || jwksPath.split('/').some((part) => part === '..' || part === '.')) {
    throw notAnIssuer(`its jwks_uri ${jwksUri} is not a plain path under the issuer`);
  }
  return { issuer, jwksPath };
}

/** Checks a JWKS before it is written: public keys only, each with a key ID. Answers the key IDs. */
export function checkJwks(body: string): string[] {
  const document = parseObject(body, 'the JWKS');
  const { keys } = document;
  if (!Array.isArray(keys) || keys.length === 0) throw notAnIssuer('the JWKS has no "keys"');
  return keys.map((key: unknown, index) => {
    if (typeof key !== 'object' || key === null || typeof (key as { kid?: unknown }).kid !== 'string') {
      throw notAnIssuer(`JWKS key ${index} has no "kid"`);
    }
    const secret = privateMembers.find((member) => member in key);
    if (secret)
      throw notAnIssuer(`JWKS key ${(key as { kid: string }).kid} has the private member "${secret}"`);
    return (key as { kid: string }).kid;
  });
}

function parseObject(body: string, what: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(body);
    if (typeof value === 'object' && value !== null && !Array.isArray(value))
      return value as Record<string, unknown>;
  } catch {
    // Reported below, without the body.
  }
  throw notAnIssuer(`${what} is not a JSON object`);
}

const notAnIssuer = (reason: string) =>
  new CliError(
    `--from does not serve an envid issuer's documents: ${reason}; nothing written`,
    ExitCode.serverError,
  );

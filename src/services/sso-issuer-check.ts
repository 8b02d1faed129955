import { invalidArgument } from '../core/errors.ts';

/**
 * The check an SSO configuration's issuer passes when saved: its OpenID discovery document is
 * fetched (no redirect followed, within a timeout) and must name the same issuer, byte for byte
 * (OpenID Connect Discovery 1.0 §4.3), with the endpoints a sign-in needs. Every refusal says why.
 */

/** How long the discovery fetch may take before the save is refused. */
export const defaultDiscoveryTimeoutMs = 5_000;
/** A discovery document larger than this is refused (they are a few kilobytes). */
const maxDocumentBytes = 256 * 1024;

export interface UpstreamDiscovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
}

const refuse = (problem: string) => invalidArgument('issuerUrl', problem);

/** The discovery URL: the issuer without a trailing slash, then /.well-known/openid-configuration. */
export const discoveryUrlOf = (issuer: string): string =>
  `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;

export async function checkSsoIssuer(
  issuerUrl: string,
  timeoutMs: number = defaultDiscoveryTimeoutMs,
): Promise<UpstreamDiscovery> {
  const url = discoveryUrlOf(issuerUrl);
  let response: Response;
  try {
    response = await fetch(url, {
      redirect: 'manual',
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const reason =
      (error as Error).name === 'TimeoutError'
        ? `no answer within ${timeoutMs} ms`
        : `${(error as Error & { cause?: { code?: string } }).cause?.code ?? (error as Error).message}`;
    throw refuse(`the discovery document ${url} is unreachable (${reason})`);
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    throw refuse(`the discovery document ${url} answered HTTP ${response.status}, not 200`);
  }
  const text = await response.text();
  if (text.length > maxDocumentBytes) throw refuse(`the discovery document ${url} is larger than 256 KiB`);
  let document: Record<string, unknown>;
  try {
    document = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw refuse(`the discovery document ${url} is not JSON`);
  }
  if (document.issuer !== issuerUrl) {
    throw refuse(
      `the discovery document ${url} names the issuer ${JSON.stringify(document.issuer)}, not ${JSON.stringify(issuerUrl)}: ` +
        'give the issuer exactly as its discovery document names it',
    );
  }
  for (const field of ['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const) {
    if (typeof document[field] !== 'string') {
      throw refuse(`the discovery document ${url} has no ${field}, which a sign-in needs`);
    }
  }
  return document as unknown as UpstreamDiscovery;
}

/**
 * The one way envid's provider logins POST to a provider (Google STS, Vault, …): a 30 s limit, the
 * whole answer read, and a network failure told apart from a refusal.
 */

/** The network failed: no answer from the provider at all (DNS, refused connection, TLS, timeout). */
export class ProviderUnreachableError extends Error {
  constructor(
    readonly url: string,
    override readonly cause: unknown,
  ) {
    super(`cannot reach ${url}`);
    this.name = 'ProviderUnreachableError';
  }
}

export interface ProviderRequest {
  headers: Record<string, string>;
  body: string | URLSearchParams;
}

export interface ProviderAnswer {
  status: number;
  ok: boolean;
  text: string;
  /** The body when it is a JSON object (or array); undefined for anything else, e.g. a proxy's page. */
  json: Record<string, unknown> | undefined;
}

const requestTimeoutMs = 30_000;

/** POSTs `init`; any answer, an error status too, is returned; only a network failure throws. */
export async function postToProvider(url: string, init: ProviderRequest): Promise<ProviderAnswer> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, method: 'POST', signal: AbortSignal.timeout(requestTimeoutMs) });
  } catch (error) {
    throw new ProviderUnreachableError(url, error);
  }
  const text = await response.text();
  return { status: response.status, ok: response.ok, text, json: jsonObjectOf(text) };
}

/** A provider's answer as a JSON object (or array); undefined for anything else, e.g. a proxy's page. */
export function jsonObjectOf(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

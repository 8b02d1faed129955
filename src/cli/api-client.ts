import type { Connection } from './config/resolve-connection.ts';
import { CliError, ExitCode, type ExitCodeValue } from './exit-codes.ts';

/** Connect codes and the exit code each maps to; anything else exits 1. */
const exitCodes: Record<string, ExitCodeValue> = {
  unauthenticated: ExitCode.authentication,
  permission_denied: ExitCode.authentication,
  not_found: ExitCode.notFound,
  invalid_argument: ExitCode.usage,
};

/** Requests wait at most this long, so a black-holed host ends as "unreachable" rather than hanging. */
const requestTimeoutMs = 30_000;

/** Calls `gitpod.v1.<method>` (e.g. `IdentityService/GetIDToken`) with global fetch; Connect JSON. */
export async function callApi<T>(connection: Connection, method: string, body: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${connection.host}/api/gitpod.v1.${method}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'connect-protocol-version': '1',
        authorization: `Bearer ${connection.token}`,
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(requestTimeoutMs),
    });
  } catch (error) {
    throw new CliError(
      `cannot reach the envid server at ${connection.host}: ${describeNetworkError(error)}; check --host / ENVID_HOST and that the server runs`,
      ExitCode.unreachable,
    );
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? {} : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (response.ok && json !== undefined) return json as T;
  throw toCliError(connection, response.status, json);
}

function toCliError(connection: Connection, status: number, json: unknown): CliError {
  const { code, message } = (json ?? {}) as { code?: string; message?: string };
  if (typeof code !== 'string') {
    return new CliError(
      `${connection.host} answered HTTP ${status} without a Connect error; is it an envid server?`,
      status === 404 ? ExitCode.notFound : ExitCode.serverError,
    );
  }
  const detail = message ? `: ${message}` : '';
  if (code === 'unauthenticated') {
    return new CliError(
      `${connection.host} refused the credential from ${connection.tokenSource}${detail}. ` +
        'It may be mistyped, revoked or expired, or its environment stopped; get a new one and pass it with ' +
        '--token, ENVID_TOKEN or `envid login`',
      ExitCode.authentication,
    );
  }
  if (code === 'permission_denied') {
    return new CliError(
      `${connection.host} does not allow this for the credential from ${connection.tokenSource}${detail}`,
      ExitCode.authentication,
    );
  }
  return new CliError(`${connection.host}: ${code}${detail}`, exitCodes[code] ?? ExitCode.serverError);
}

function describeNetworkError(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError')
    return `no answer in ${requestTimeoutMs / 1000} s`;
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error);
}

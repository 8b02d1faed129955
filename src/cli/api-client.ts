import { CliError, ExitCode, type ExitCodeValue } from '../shared/exit-codes.ts';
import type { Connection } from './config/resolve-connection.ts';
import { type HttpAnswer, httpPost, NoAnswerError } from './http-post.ts';

/** Connect codes and the exit code each maps to; anything else exits 1. */
const exitCodes: Record<string, ExitCodeValue> = {
  unauthenticated: ExitCode.authentication,
  permission_denied: ExitCode.authentication,
  not_found: ExitCode.notFound,
  invalid_argument: ExitCode.usage,
};

/** How the server refuses an environment's token while the environment is stopped or deleted. */
const environmentState = /^environment \S+ is (stopped|deleted):/;

/** Requests wait at most this long, so a black-holed host ends as "unreachable" rather than hanging. */
const requestTimeoutMs = 30_000;

/** Calls `gitpod.v1.<method>` (e.g. `IdentityService/GetIDToken`): Connect unary JSON over HTTP(S). */
export async function callApi<T>(connection: Connection, method: string, body: unknown): Promise<T> {
  let answer: HttpAnswer;
  try {
    answer = await httpPost(
      `${connection.host}/api/gitpod.v1.${method}`,
      {
        'content-type': 'application/json',
        'connect-protocol-version': '1',
        authorization: `Bearer ${connection.token}`,
      },
      JSON.stringify(body),
      requestTimeoutMs,
    );
  } catch (error) {
    const reason = error instanceof NoAnswerError ? error.reason : String(error);
    throw new CliError(
      `cannot reach the envid server at ${connection.host}: ${reason}${schemeNote(connection)}; check --host / ENVID_HOST and that the server runs`,
      ExitCode.unreachable,
    );
  }
  let json: unknown;
  try {
    json = answer.text === '' ? {} : JSON.parse(answer.text);
  } catch {
    json = undefined;
  }
  const ok = answer.status >= 200 && answer.status < 300;
  if (ok && json !== undefined) return json as T;
  throw toCliError(connection, answer.status, json);
}

/** A failed connection to a host given without a scheme may just need `http://`: say what was assumed. */
function schemeNote({ host, schemeAssumedFor }: Connection): string {
  if (schemeAssumedFor === undefined) return '';
  return ` (${schemeAssumedFor} has no scheme, so https:// was assumed; for a server without TLS use ${host.replace(/^https:/, 'http:')})`;
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
    const refused = `${connection.host} refused the credential from ${connection.tokenSource}${detail}`;
    // An environment's own token refused for the environment's state: the server's message says what to do.
    if (message && environmentState.test(message)) return new CliError(refused, ExitCode.authentication);
    return new CliError(
      `${refused}. It may be mistyped, revoked or expired; get a new one and pass it with ` +
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

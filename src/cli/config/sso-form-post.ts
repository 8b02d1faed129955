import { CliError, ExitCode } from '../../shared/exit-codes.ts';
import { httpPost, NoAnswerError } from '../http-post.ts';

/** Requests wait at most this long, so a black-holed host ends as "unreachable" rather than hanging. */
const requestTimeoutMs = 30_000;

/** An OAuth-style answer of envid's /sso routes: the JSON body, or its `error` and `error_description`. */
export interface SsoAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** POSTs a form to one of envid's /sso routes (no credential: these sign the user in). */
export async function postSsoForm(
  host: string,
  path: string,
  form: Record<string, string>,
): Promise<SsoAnswer> {
  let answer: Awaited<ReturnType<typeof httpPost>>;
  try {
    answer = await httpPost(
      `${host}${path}`,
      { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      new URLSearchParams(form).toString(),
      requestTimeoutMs,
    );
  } catch (error) {
    const reason = error instanceof NoAnswerError ? error.reason : String(error);
    throw new CliError(
      `cannot reach the envid server at ${host}: ${reason}; check --host / ENVID_HOST and that the server runs`,
      ExitCode.unreachable,
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    body = undefined;
  }
  if (!body || typeof body !== 'object') {
    throw new CliError(
      `the envid server at ${host} answered ${path} with HTTP ${answer.status} and no JSON: is it an envid server with SSO sign-in?`,
      ExitCode.serverError,
    );
  }
  return { status: answer.status, body: body as Record<string, unknown> };
}

/** The refusal in an answer, as the CLI says it: `error: description`. */
export const describeRefusal = (answer: SsoAnswer): string =>
  `${String(answer.body.error ?? `HTTP ${answer.status}`)}: ${String(answer.body.error_description ?? '')}`;

/** The personal access token in a /sso/cli/token answer, or a CLI error with the server's reason. */
export function tokenFrom(answer: SsoAnswer): string {
  if (answer.status === 200 && typeof answer.body.access_token === 'string') return answer.body.access_token;
  throw new CliError(`sign-in refused: ${describeRefusal(answer)}`, ExitCode.authentication);
}

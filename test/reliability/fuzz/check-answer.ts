import { httpStatusOf } from '../../../src/server/connect/errors.ts';

/**
 * What every answer of the API must be, whatever was asked: never a 5xx; a success (200, a JSON object)
 * or a Connect error `{code, message}` with the code's documented HTTP status; no credential in an
 * error; nothing of one organization in an answer to another's credential; unauthenticated for a
 * request whose credential does not authenticate.
 */

export interface Answer {
  status: number;
  contentType: string | undefined;
  text: string;
}

export interface Exchange {
  /** The Authorization header sent, if any. */
  authorization: string | undefined;
  /** The credential authenticates (an unrevoked, unexpired credential of a live principal). */
  authenticates: boolean;
  /** The request reaches authentication: a registered method, POSTed with a JSON body Fastify accepts. */
  reachesAuthentication: boolean;
  /** The credential is another organization's, so the answer must hold nothing of organization a. */
  otherOrganization: boolean;
  answer: Answer;
}

export interface CheckContext {
  /** Every secret the fixture holds. */
  secrets: string[];
  organizationAIds: string[];
}

/** What is wrong with an answer; a known defect excuses the kinds it names (known-defects.ts). */
export interface Problem {
  kind: 'status' | 'shape' | 'secret' | 'authentication' | 'isolation' | 'state';
  text: string;
}

/** Anything shaped like an envid credential (src/core/credentials.ts). */
const credentialShape = /envid_(adm|pat|sat|rnt|ent)_[A-Za-z0-9_-]{16,}/;

/** A JSON text's value, or why it is not JSON. */
export function parseJson(text: string): { value?: unknown; error?: string } {
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

function leakedSecrets(text: string, exchange: Exchange, context: CheckContext): string[] {
  const presented = exchange.authorization?.replace(/^\S+\s+/, '') ?? '';
  const leaks = context.secrets.filter((secret) => text.includes(secret)).map(() => 'a fixture credential');
  if (presented.length >= 16 && text.includes(presented)) leaks.push('the presented credential');
  return leaks;
}

/** Node refuses a request head over 16 KiB before any route: 431, with a Connect body (client-errors.ts). */
const headTooLarge = (status: number, code: string) => status === 431 && code === 'resource_exhausted';

export function answerProblems(exchange: Exchange, context: CheckContext): Problem[] {
  const { status, contentType, text } = exchange.answer;
  const problems: Problem[] = [];
  const problem = (kind: Problem['kind'], what: string) => problems.push({ kind, text: what });
  if (status >= 500) problem('status', `answered ${status} ${text.slice(0, 300)}`);
  if (!/^application\/json\b/.test(contentType ?? '')) problem('shape', `content-type is ${contentType}`);
  const { value, error } = parseJson(text);
  if (error !== undefined || typeof value !== 'object' || value === null || Array.isArray(value)) {
    problem('shape', `the body is not a JSON object: ${error ?? text.slice(0, 200)}`);
    return problems;
  }
  const body = value as Record<string, unknown>;
  if (status >= 200 && status < 300) {
    if (status !== 200) problem('shape', `a success answered ${status}, not 200`);
    if (!exchange.authenticates) problem('authentication', `answered ${status} without a valid credential`);
    for (const leak of context.secrets.filter((secret) => text.includes(secret))) {
      problem('secret', `a success answer holds an existing credential (${leak.slice(0, 12)}…)`);
    }
    if (exchange.otherOrganization) {
      const seen = context.organizationAIds.filter((id) => text.includes(id));
      if (seen.length > 0)
        problem('isolation', `another organization's credential was answered ${seen.join(', ')}`);
    }
    return problems;
  }
  const { code, message } = body;
  const keys = Object.keys(body).sort().join(',');
  if (keys !== 'code,message') problem('shape', `an error answer has members ${keys}, not code and message`);
  if (typeof code !== 'string' || !(code in httpStatusOf)) {
    problem('shape', `code ${JSON.stringify(code)} is not a Connect code`);
  } else if (httpStatusOf[code as keyof typeof httpStatusOf] !== status && !headTooLarge(status, code)) {
    problem(
      status >= 500 ? 'status' : 'shape',
      `code ${code} came with HTTP ${status}, not ${httpStatusOf[code as keyof typeof httpStatusOf]}`,
    );
  }
  if (typeof message !== 'string' || message.trim() === '') problem('shape', 'the error has no message');
  const leaks = [
    ...leakedSecrets(text, exchange, context),
    ...(credentialShape.test(text) ? ['a credential'] : []),
  ];
  if (leaks.length > 0) problem('secret', `the error repeats ${[...new Set(leaks)].join(' and ')}: ${text}`);
  if (
    exchange.reachesAuthentication &&
    !exchange.authenticates &&
    (status !== 401 || code !== 'unauthenticated')
  ) {
    problem(
      'authentication',
      `a credential that does not authenticate was answered ${status} ${code}, not 401`,
    );
  }
  return problems;
}

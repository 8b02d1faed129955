import { apiPrefix } from '../../../src/server/connect/register-methods.ts';
import { authorizationOf, type FuzzCall } from './call-arbitrary.ts';
import { type Answer, answerProblems, type Exchange, type Problem, parseJson } from './check-answer.ts';
import { authenticatingKinds, organizationAIds } from './fuzz-fixture.ts';
import type { FuzzHarness } from './fuzz-harness.ts';
import { type KnownDefect, knownDefectOf } from './known-defects.ts';
import { credentialOf, type RawCall, rawBodyOf } from './raw-call-arbitrary.ts';

/**
 * Sends one request, checks its answer (check-answer.ts) and that a refusal changed nothing, and puts
 * the database back. A failure that only a known defect explains is answered, not thrown.
 */

export interface Judged {
  sent: SentRequest;
  answer: Answer;
  problems: Problem[];
  /** The known defect that excuses the problems, when one does. */
  excusedBy?: KnownDefect;
}

/** The parts of a request the known-defect list looks at. */
export interface SentRequest {
  /** The body as sent, as text (invalid UTF-8 read as U+FFFD). */
  body: string;
  /** The page tokens it sent, in the body or the query. */
  pageTokens: string[];
}

/** The page tokens in a body (`pagination.token`) and a query (`token=`). */
export function pageTokensOf(body: unknown, query: string | undefined): string[] {
  const inBody = (body as { pagination?: { token?: unknown } } | null)?.pagination?.token;
  const inQuery = new URLSearchParams(query ?? '').getAll('token');
  return [...(typeof inBody === 'string' ? [inBody] : []), ...inQuery];
}

/**
 * The call carries another organization's credential, so the answer must hold nothing of organization
 * a's; unless it names a's invite, which is a capability: whoever holds it learns the organization.
 */
function asksAsOtherOrganization(
  harness: FuzzHarness,
  call: Pick<FuzzCall, 'as' | 'authorization'>,
  body: string,
): boolean {
  return (
    call.authorization === undefined &&
    call.as.startsWith('otherOrg') &&
    !body.includes(harness.fixture.ids['a.invite'])
  );
}

/** Fastify refuses JSON with these keys (prototype poisoning) before any authentication. */
const poisonedJson = /"(__proto__|prototype)"\s*:/;

export async function judgeExchange(
  harness: FuzzHarness,
  exchange: Exchange,
  sent: SentRequest,
  options: { strict: boolean },
): Promise<Judged> {
  const problems = answerProblems(exchange, {
    secrets: harness.secrets,
    organizationAIds: organizationAIds(harness.fixture),
  });
  const changed = await harness.settle();
  const succeeded = exchange.answer.status >= 200 && exchange.answer.status < 300;
  if (changed.length > 0 && !succeeded) {
    problems.push({
      kind: 'state',
      text: `refused with ${exchange.answer.status}, yet changed ${changed.join('; ')}`,
    });
  }
  const defect = problems.length > 0 && !options.strict ? knownDefectOf(sent, exchange.answer) : undefined;
  const excusedBy = problems.every((problem) => defect?.excuses.includes(problem.kind)) ? defect : undefined;
  return { sent, answer: exchange.answer, problems, ...(excusedBy ? { excusedBy } : {}) };
}

export async function judgeCall(
  harness: FuzzHarness,
  call: FuzzCall,
  options: { strict: boolean },
): Promise<Judged> {
  const authorization = authorizationOf(call, harness.fixture.secrets);
  const body = JSON.stringify(call.body);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...(authorization !== undefined ? { authorization } : {}),
  };
  const path = `/api/gitpod.v1.${call.method}${call.query !== undefined ? `?${call.query}` : ''}`;
  const answer = await harness.inject(path, headers, body);
  const exchange: Exchange = {
    authorization,
    authenticates: call.authorization === undefined && authenticatingKinds.includes(call.as),
    reachesAuthentication: !poisonedJson.test(body),
    otherOrganization: asksAsOtherOrganization(harness, call, body),
    answer,
  };
  return judgeExchange(harness, exchange, { body, pageTokens: pageTokensOf(call.body, call.query) }, options);
}

/** The content types Fastify's JSON parser takes. */
const jsonContentTypes = new Set(['application/json', 'application/json; charset=utf-8']);

const bodyLimit = 1024 * 1024;

export async function judgeRawCall(
  harness: FuzzHarness,
  call: RawCall,
  options: { strict: boolean },
): Promise<Judged> {
  const authorization = authorizationOf(credentialOf(call), harness.fixture.secrets);
  const body = rawBodyOf(call);
  const headers: Record<string, string> = {
    ...(call.contentType !== undefined ? { 'content-type': call.contentType } : {}),
    ...(authorization !== undefined ? { authorization } : {}),
  };
  const path = `${call.path}${call.query !== undefined ? `?${call.query}` : ''}`;
  const answer = await harness.sendRaw({
    method: call.verb,
    path,
    headers,
    body,
    chunked: call.chunked === true,
  });
  const text = body.toString('utf8');
  const parsed = text === '' ? { value: {} } : parseJson(text);
  const isJson = parsed.error === undefined;
  const exchange: Exchange = {
    authorization,
    authenticates: call.authorization === undefined && authenticatingKinds.includes(call.as),
    reachesAuthentication:
      call.verb === 'POST' &&
      call.path === `${apiPrefix}${call.method}` &&
      jsonContentTypes.has(call.contentType ?? '') &&
      call.encoding === undefined &&
      body.length <= bodyLimit &&
      Buffer.from(text, 'utf8').equals(body) &&
      isJson &&
      !poisonedJson.test(text),
    // As for structured calls: a's invite is a capability, so naming it may answer a's organization.
    otherOrganization: asksAsOtherOrganization(harness, call, text),
    answer,
  };
  return judgeExchange(
    harness,
    exchange,
    { body: text, pageTokens: pageTokensOf(parsed.value, call.query) },
    options,
  );
}

/** What a page token says, for people reading a counterexample. */
function decodePageToken(token: string): string {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  return /^[\x20-\x7e]*$/.test(text) ? text : JSON.stringify(text);
}

/** A judged call's problems as an error message (fast-check prints it under the counterexample). */
export function describeProblems(judged: Judged): string {
  const tokens = judged.sent.pageTokens.map(
    (token) => `page token ${token} decodes to ${decodePageToken(token)}`,
  );
  return [...judged.problems.map((problem) => `${problem.kind}: ${problem.text}`), ...tokens].join('\n');
}

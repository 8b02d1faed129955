import type { Answer, Problem } from './check-answer.ts';
import type { SentRequest } from './judge-call.ts';

/**
 * TEMPORARY. Defects the fuzz finds on today's main that other changes of issue 11 are fixing. An answer
 * that one of these explains (and that has nothing else wrong) is counted and reported after the run,
 * not failed. Once a fix is merged, delete its entry: the fuzz then fails if the defect is back.
 * ENVID_FUZZ_STRICT=1 ignores this list (to see whether a fix has landed).
 */

export interface KnownDefect {
  /** Which change of issue 11 fixes it. */
  item: string;
  what: string;
  /** The kinds of problem it explains (check-answer.ts): a 5xx is `status`. */
  excuses: readonly Problem['kind'][];
  matches(sent: SentRequest, answer: Answer): boolean;
}

const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Every string in a JSON value, keys too. */
const stringsIn = (value: unknown): string[] =>
  typeof value === 'string'
    ? [value]
    : typeof value === 'object' && value !== null
      ? Object.entries(value).flatMap(([key, item]) => [key, ...stringsIn(item)])
      : [];

/** NUL, or a UTF-16 surrogate without its pair, in the body's text or in a string its JSON holds. */
function hasNulOrLoneSurrogate(body: string): boolean {
  let strings = [body];
  try {
    strings = [body, ...stringsIn(JSON.parse(body))];
  } catch {}
  return strings.some((text) => text.includes('\u0000') || loneSurrogate.test(text));
}

/** The year (UTC) of a time JavaScript reads is outside 1..9999: the same limit, for filter times. */
const outsideFourDigitYears = (value: unknown): boolean => {
  const year = typeof value === 'string' ? new Date(value).getUTCFullYear() : Number.NaN;
  return year < 1 || year > 9999;
};

/**
 * A token whose time JavaScript reads but the store cannot send: measured, every year outside 1..9999
 * answers 500 (pg writes such a Date in a form PostgreSQL refuses), though timestamptz holds 4713 BC
 * to 294276 AD.
 */
function namesYearOutsideFourDigits(token: string): boolean {
  try {
    const [at] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown[];
    return outsideFourDigitYears(at);
  } catch {
    return false;
  }
}

function filtersTimeOutsideFourDigits(body: string): boolean {
  try {
    const { filter } = JSON.parse(body) as { filter?: { from?: unknown; to?: unknown } };
    return outsideFourDigitYears(filter?.from) || outsideFourDigitYears(filter?.to);
  } catch {
    return false;
  }
}

export const knownDefects: KnownDefect[] = [
  {
    item: 'issue 11, input validation (src/server/connect/validation.ts)',
    what: 'a NUL or a lone surrogate in a string that is stored answers 500 (PostgreSQL refuses it)',
    excuses: ['status'],
    matches: (sent, answer) => answer.status === 500 && hasNulOrLoneSurrogate(sent.body),
  },
  {
    item: 'issue 11, page tokens (src/store/sql/collection.ts)',
    what: 'a page token naming a year outside 1..9999 answers 500',
    excuses: ['status'],
    matches: (sent, answer) => answer.status === 500 && sent.pageTokens.some(namesYearOutsideFourDigits),
  },
  {
    item: 'issue 11, page tokens and time filters (src/server/routes/api/audit-events.ts)',
    what: 'a ListAuditEvents filter time whose UTC year is outside 1..9999 answers 500',
    excuses: ['status'],
    matches: (sent, answer) => answer.status === 500 && filtersTimeOutsideFourDigits(sent.body),
  },
  {
    item: 'issue 11, not yet assigned (src/server/build-server.ts: Fastify clientErrorHandler)',
    what: 'a request head over 16 KiB is answered 431 with Fastify’s {error, message, statusCode}, not a Connect error',
    // Node refuses the request before the server reads its credential: nothing else is checked.
    excuses: ['shape', 'authentication'],
    matches: (_sent, answer) => answer.status === 431 && answer.text.includes('"statusCode":431'),
  },
];

export function knownDefectOf(sent: SentRequest, answer: Answer): KnownDefect | undefined {
  return knownDefects.find((defect) => defect.matches(sent, answer));
}

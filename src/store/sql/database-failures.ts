import { DatabaseUnavailableError } from '../errors.ts';

/** Socket errors that mean the server is unreachable or went away. */
const socketReasons: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ECONNABORTED: 'connection aborted',
  EPIPE: 'connection lost',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
};

/** SQLSTATEs of a server that is going away, not accepting connections or cancelled a query for time. */
const sqlStateReasons: Record<string, string> = {
  '57P01': 'the server is shutting down',
  '57P02': 'the server crashed',
  '57P03': 'the server is starting up or shutting down',
  '53300': 'the server has no free connection slots',
  '57014': 'the query took longer than its deadline',
};

/** node-postgres's own messages for a lost or silent server (it gives them no code). */
const messageReasons: [RegExp, string][] = [
  [/^Connection terminated/, 'connection lost'],
  [/timeout exceeded when trying to connect/, 'no connection within the connect deadline'],
  [/^Query read timeout/, 'no answer within the query deadline'],
  [/is not queryable/, 'connection lost'],
  [/^Cannot use a pool after calling end/, 'the store is closing'],
];

/**
 * Why `error` means the database is unavailable (as opposed to a query it refused), or undefined.
 * SQLSTATE class 08 is "connection exception".
 */
export function unavailabilityReason(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  if (error instanceof DatabaseUnavailableError) return error.reason;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (socketReasons[code]) return socketReasons[code];
    if (sqlStateReasons[code]) return sqlStateReasons[code];
    if (/^08[0-9A-Z]{3}$/.test(code)) return 'connection failure';
  }
  return messageReasons.find(([pattern]) => pattern.test(error.message))?.[1];
}

/** `error` as a DatabaseUnavailableError when it is one in substance; otherwise unchanged. */
export function classifyDatabaseError(error: unknown): unknown {
  if (error instanceof DatabaseUnavailableError) return error;
  const reason = unavailabilityReason(error);
  return reason ? new DatabaseUnavailableError(reason, { cause: error }) : error;
}

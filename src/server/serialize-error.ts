import { DatabaseError } from '../store/errors.ts';

/**
 * The logger's `err` serializer (pino's own prints every enumerable property and every cause): an error
 * as its type, message, code and stack, and a DatabaseError as what failed and the database's code. A
 * driver's error that escaped the store (it carries the statement, its parameters and a message that may
 * quote them) is reduced to its type and code.
 */
export function serializeError(error: unknown, depth = 0): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: error === null ? 'null' : typeof error };
  const type = error.constructor?.name || error.name;
  const code = (error as { code?: unknown }).code;
  if (error instanceof DatabaseError) {
    const { message, operation, table, connection, stack } = error;
    return { type, message, code, operation, ...(table ? { table } : {}), connection, stack };
  }
  if (isDriverError(error)) return { type, ...(typeof code === 'string' ? { code } : {}) };
  const serialized: Record<string, unknown> = {
    type,
    message: error.message,
    ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
    stack: error.stack,
  };
  if (depth < 3 && error.cause !== undefined) serialized.cause = serializeError(error.cause, depth + 1);
  if (depth < 3 && error instanceof AggregateError) {
    serialized.errors = error.errors.slice(0, 10).map((inner) => serializeError(inner, depth + 1));
  }
  return serialized;
}

/** pg's and PGlite's errors: the server's fields (severity, detail…) or the statement (query, params). */
const isDriverError = (error: Error): boolean =>
  ['severity', 'detail', 'query', 'params', 'where', 'internalQuery'].some((field) => field in error);

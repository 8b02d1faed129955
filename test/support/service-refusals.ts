import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { ApiError } from '../../src/core/errors.ts';

/** Matches a service's refusal: its code and, when given, its message. */
export const refused = (code: string, message?: RegExp) =>
  expect.objectContaining({ code, ...(message ? { message: expect.stringMatching(message) } : {}) });

/** What `call` throws; fails the test when it resolves. */
async function refusalOf(call: Promise<unknown>): Promise<ApiError> {
  const error = await call.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(error)}`);
  return error;
}

/**
 * Asserts that `call(id)` is refused with not_found exactly as `call(<an unknown ID>)` is, message and
 * all but the ID: another organization's record is indistinguishable from one that does not exist.
 */
export async function expectRefusedLikeUnknown(
  call: (id: string) => Promise<unknown>,
  id: string,
): Promise<void> {
  const unknown = randomUUID();
  const theirs = await refusalOf(call(id));
  const missing = await refusalOf(call(unknown));
  expect(theirs.code).toBe('not_found');
  expect(theirs.toJSON()).toEqual({ ...missing.toJSON(), message: missing.message.replaceAll(unknown, id) });
}

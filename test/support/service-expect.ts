import { expect } from 'vitest';
import type { ApiError } from '../../src/core/errors.ts';

/** Matches a service's refusal by code (and message, when given). */
export const refused = (code: string, message?: RegExp) =>
  expect.objectContaining({ code, ...(message ? { message: expect.stringMatching(message) } : {}) });

/** The error `call` throws; fails the test when it resolves. */
export async function errorOf(call: () => Promise<unknown>): Promise<ApiError> {
  try {
    await call();
  } catch (error) {
    return error as ApiError;
  }
  throw new Error('expected the call to be refused, but it succeeded');
}

/**
 * A record of another organization (`known`) is refused exactly like an ID that does not exist
 * (`unknown`): both not_found, with messages that differ only by the ID. The calls run one after the
 * other, as two requests would.
 */
export async function expectSameNotFound(
  known: () => Promise<unknown>,
  knownId: string,
  unknown: () => Promise<unknown>,
  unknownId: string,
): Promise<void> {
  const [a, b] = [await errorOf(known), await errorOf(unknown)];
  expect(a.code).toBe('not_found');
  expect(b.code).toBe('not_found');
  expect(a.message.replaceAll(knownId, '<id>')).toBe(b.message.replaceAll(unknownId, '<id>'));
}

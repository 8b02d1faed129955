import { expect } from 'vitest';

/** Asserts a Connect error answer: its code and, when given, a fragment of its message. */
export function expectError(
  response: { status: number; body: any },
  code: string,
  message?: string | RegExp,
): void {
  expect(response.body?.code, JSON.stringify(response.body)).toBe(code);
  if (message !== undefined) {
    if (typeof message === 'string') expect(response.body.message).toContain(message);
    else expect(response.body.message).toMatch(message);
  }
}

export function expectOk(response: { status: number; body: any }): any {
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body;
}

/** The same message shape for two IDs: the message of one, with its ID swapped for the other's. */
export function expectSameNotFound(a: { body: any }, aId: string, b: { body: any }, bId: string): void {
  expect(a.body.code).toBe('not_found');
  expect(b.body.code).toBe('not_found');
  expect(a.body.message.replaceAll(aId, '<id>')).toBe(b.body.message.replaceAll(bId, '<id>'));
}

import { describe, expect, it } from 'vitest';
import { returnToProblem } from '../../src/core/sso/return-to.ts';

/** Where a sign-in may send the browser afterwards: envid's own paths only. */
describe('returnToProblem', () => {
  it.each(['/', '/console', '/console/projects?tab=env#top', '/a/b%2Fc', '/é'])('accepts %j', (path) => {
    expect(returnToProblem(path)).toBeUndefined();
  });

  it.each([
    'https://evil.example/',
    'http:/evil.example',
    '//evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    'evil.example',
    'javascript:alert(1)',
    '/\t/evil.example',
    '/ok\r\n/x',
    '',
  ])('refuses %j', (target) => {
    expect(returnToProblem(target)).toMatch(
      /^returnTo must be a path on this server starting with a single "\/"/,
    );
  });

  it('refuses a path longer than 2048 characters', () => {
    expect(returnToProblem(`/${'a'.repeat(2048)}`)).toBe('returnTo must be at most 2048 characters');
  });
});

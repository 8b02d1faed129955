import { describe, expect, it } from 'vitest';
import { renderVerdict } from '../../src/cli/idp/render-check.ts';
import { firstDifference, refused } from '../../src/relying-parties/support/check-verdict.ts';

describe('where a rule’s value and the token’s first differ', () => {
  it.each([
    ['abc', 'abc', '', undefined],
    ['abc', 'abd', '', 2],
    ['abc', 'abcd', '', 3],
    ['abcd', 'abc', '', 3],
    ['ab*', 'abzzz', '*?', undefined],
    ['ab?d', 'abxd', '*?', undefined],
    ['ax*', 'abzzz', '*?', 1],
    ['a*', 'b', '*', 0],
  ])('%s vs %s (wildcards %s): %s', (rule, token, wildcards, index) => {
    expect(firstDifference(rule, token, wildcards)).toBe(index);
  });
});

describe('the text answer', () => {
  it('puts the caret under the first difference', () => {
    const verdict = refused('vault', {
      code: 'sub claim does not match bound subject',
      reason: 'bound_subject is compared exactly',
      rule: 'role dev bound_subject',
      ruleValue: 'organization_id:a:project_id:B',
      tokenValue: 'organization_id:a:project_id:b',
      fix: 'set it',
    });
    const lines = renderVerdict(verdict, 'Vault').split('\n');
    expect(lines[2]).toBe('  holds: organization_id:a:project_id:B');
    expect(lines[3]).toBe('  token: organization_id:a:project_id:b');
    expect(lines[4]).toBe(`         ${' '.repeat(29)}^ first difference at index 29`);
  });

  it('cuts a long value around the difference and keeps the caret under it', () => {
    const common = 'x'.repeat(500);
    const verdict = refused('azure', {
      code: 'AADSTS700213',
      reason: 'no subject',
      rule: 'subject',
      ruleValue: `${common}A${'y'.repeat(99)}`,
      tokenValue: `${common}B${'y'.repeat(99)}`,
      fix: 'set it',
    });
    const [, , holds, token, caret] = renderVerdict(verdict, 'Entra').split('\n');
    expect(holds).toBe(`  holds: …${'x'.repeat(40)}A${'y'.repeat(59)}…`);
    expect(token).toBe(`  token: …${'x'.repeat(40)}B${'y'.repeat(59)}…`);
    expect(caret!.indexOf('^')).toBe(token!.indexOf('B'));
    expect(caret).toContain('first difference at index 500');
  });
});

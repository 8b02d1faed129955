import type { CheckVerdict } from '../../relying-parties/support/check-verdict.ts';

/** How much of a long value is shown before the first difference (the rest is elided with …). */
const contextBefore = 40;
const shownAfter = 60;

/**
 * `envid idp check`'s answer as text: `accepted` with what the provider makes of the token, or
 * `refused` with the provider's code, the rule, the value it holds and the token's, a caret under the
 * first difference, and the fix. Long values are cut around the difference.
 */
export function renderVerdict(verdict: CheckVerdict, title: string): string {
  const lines: string[] = [];
  if (verdict.accepted) {
    const identity = Object.entries(verdict.identity ?? {}).map(
      ([key, value]) => `${key} ${Array.isArray(value) ? value.join(', ') : value}`,
    );
    lines.push(
      `accepted: ${title} would accept this token${identity.length ? ` (${identity.join('; ')})` : ''}`,
    );
  } else {
    lines.push(`refused: ${title} would answer ${verdict.code}: ${verdict.reason}`);
    lines.push(`  rule:  ${verdict.rule}`);
    const { ruleValue, tokenValue, differsAt } = verdict;
    const start = differsAt !== undefined && differsAt > contextBefore ? differsAt - contextBefore : 0;
    const cut = (value: string) => {
      const shown = value.slice(start, start + contextBefore + shownAfter);
      return `${start > 0 ? '…' : ''}${shown}${start + shown.length < value.length ? '…' : ''}`;
    };
    if (ruleValue !== undefined) lines.push(`  holds: ${cut(ruleValue)}`);
    if (tokenValue !== undefined) lines.push(`  token: ${cut(tokenValue)}`);
    if (differsAt !== undefined) {
      const column = differsAt - start + (start > 0 ? 1 : 0);
      lines.push(`         ${' '.repeat(column)}^ first difference at index ${differsAt}`);
    }
    lines.push(`  fix:   ${verdict.fix}`);
  }
  for (const warning of verdict.warnings) lines.push(`  note:  ${warning}`);
  return `${lines.join('\n')}\n`;
}

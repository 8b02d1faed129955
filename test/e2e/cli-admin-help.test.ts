import { describe, expect, it } from 'vitest';
import { adminGroupNames } from '../support/admin-group-names.ts';
import { mapConcurrently } from '../support/concurrently.ts';
import { runCli } from '../support/run-cli.ts';

// No server: help and usage errors come from the CLI alone.
describe('envid admin command groups', () => {
  it('every group shows its help with examples; a group without a command is a usage error', async () => {
    // Independent runs, four at a time: they overlap their start-up instead of queueing.
    const helps = await mapConcurrently(adminGroupNames, 4, (group) => runCli([group, '--help'], {}));
    helps.forEach((help, index) => {
      const group = adminGroupNames[index];
      expect({ group, code: help.code }).toEqual({ group, code: 0 });
      expect(help.stdout).toContain('Examples:');
    });
    const bare = await runCli(['env'], {});
    expect(bare.code).toBe(2);
  });
});

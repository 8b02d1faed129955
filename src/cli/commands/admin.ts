import type { Command } from 'commander';

/** Commands that need no admin group: their command lines skip loading them. */
const otherCommands = new Set(['idp', 'serve', 'login', 'logout', 'discovery']);

/**
 * Adds the admin command groups (org, user, pat, …) unless the command line is one of the other commands:
 * `envid idp token` then neither parses nor builds them (it must start fast; see the benchmark in issue 4).
 */
export async function registerAdminCommands(program: Command, argv = process.argv.slice(2)): Promise<void> {
  const first = argv.find((arg) => !arg.startsWith('-'));
  if (first !== undefined && otherCommands.has(first)) return;
  const { registerAdminGroups } = await import('./admin-groups.ts');
  registerAdminGroups(program);
}

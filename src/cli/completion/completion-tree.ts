import type { Command } from 'commander';

/**
 * What can follow each command path: `'envid'` itself, `'envid idp token'`, ... The words are its
 * subcommands (and their aliases) and its long flags, with --help. (Paths are never empty: bash refuses
 * an empty key.)
 */
export type CompletionTree = Map<string, string[]>;

export function buildCompletionTree(program: Command): CompletionTree {
  const tree: CompletionTree = new Map();
  const visit = (command: Command, path: string) => {
    const subcommands = command.commands.flatMap((sub) => [sub.name(), ...sub.aliases()]);
    const flags = command.options.flatMap((option) => (option.long ? [option.long] : []));
    tree.set(path, [...subcommands, ...flags, '--help']);
    for (const sub of command.commands) {
      for (const name of [sub.name(), ...sub.aliases()]) visit(sub, `${path} ${name}`);
    }
  };
  visit(program, program.name());
  return tree;
}

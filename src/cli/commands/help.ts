import type { Command } from 'commander';
import { formatExitCodeTable, usageError } from '../../shared/exit-codes.ts';
import { formatExamples } from './help-examples.ts';

/** Replaces commander's `help` command: `envid help [command...]` plus the topic `exit-codes`. */
export function registerHelpCommand(program: Command): void {
  program.helpCommand(false);
  program
    .command('help [topic...]')
    .summary('show help for a command, or a topic: exit-codes')
    .description(
      'Shows the help of a command (`envid help idp token`), or of a topic:\n  exit-codes  what each exit code of envid means',
    )
    .addHelpText('after', formatExamples(['envid help idp token', 'envid help exit-codes']))
    .action((topic: string[]) => {
      if (topic.length === 1 && topic[0] === 'exit-codes') {
        process.stdout.write(formatExitCodeTable());
        return;
      }
      let command = program;
      for (const name of topic) {
        const next = command.commands.find((c) => c.name() === name || c.aliases().includes(name));
        if (!next) throw usageError(`no command or help topic "${topic.join(' ')}"; see \`envid --help\``);
        command = next;
      }
      command.outputHelp();
    });
}

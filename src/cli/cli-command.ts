import { Command, CommanderError, type ErrorOptions } from 'commander';

/** What follows every usage error of the option parser. */
const helpHint = '(add --help for usage and examples)';

/**
 * A commander Command whose own errors (an unknown option, a missing required option or argument, an
 * unknown command) read like every other usage error of envid: `envid: <problem>`, then the usage line of
 * the command they concern, then where the examples are. main.ts turns them into exit code 2.
 */
export class CliCommand extends Command {
  override createCommand(name?: string): CliCommand {
    return new CliCommand(name);
  }

  override error(message: string, errorOptions?: ErrorOptions): never {
    const usage = this.createHelp().commandUsage(this);
    const write = this.configureOutput().writeErr ?? ((text: string) => process.stderr.write(text));
    write(`envid: ${message.replace(/^error: /, '')}\nUsage: ${usage}\n${helpHint}\n`);
    // What commander's exitOverride() would throw; main.ts reports it.
    throw new CommanderError(errorOptions?.exitCode ?? 1, errorOptions?.code ?? 'commander.error', message);
  }
}

import { Command } from 'commander';
import { registerServeCommand } from './commands/serve.ts';

/** The `envid` command. Each command's module imports what it needs lazily. */
const program = new Command('envid')
  .description('envid: an OpenID Connect identity provider for development environments')
  .showHelpAfterError();

registerServeCommand(program);

await program.parseAsync(process.argv);

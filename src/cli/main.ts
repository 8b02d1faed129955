import { Command, CommanderError } from 'commander';
import { registerAdminCommands } from './commands/admin.ts';
import { registerCompletionCommand } from './commands/completion.ts';
import { registerHelpCommand } from './commands/help.ts';
import { registerIdpCommands } from './commands/idp.ts';
import { registerLoginCommands } from './commands/login.ts';
import { registerServeCommand } from './commands/serve.ts';
import { ExitCode } from './exit-codes.ts';
import { reportError } from './report-error.ts';

/**
 * The `envid` command. Each command's module imports what it needs lazily: `envid idp token` must not
 * load the server, the database or cloud SDKs (test/cli/module-graph.test.ts checks it).
 */
const program = new Command('envid')
  .description(
    'envid: an OpenID Connect identity provider for development environments. ' +
      'Commands talking to a server take --host/--token, else ENVID_HOST/ENVID_TOKEN, else the saved `envid login`.',
  )
  .showHelpAfterError('(add --help for usage and examples)')
  // Commander's errors become usage errors (exit 2) in the handler below instead of exiting 1.
  .exitOverride();

registerServeCommand(program);
registerLoginCommands(program);
registerIdpCommands(program);
await registerAdminCommands(program);
registerHelpCommand(program);
registerCompletionCommand(program);
program.addHelpText(
  'after',
  '\nExamples:\n  envid idp token --audience sts.amazonaws.com\n  envid help exit-codes\n',
);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = exitCodeOf(error);
}

function exitCodeOf(error: unknown): number {
  if (error instanceof CommanderError) {
    // Commander printed its message (or the help) already.
    return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  return reportError(error);
}

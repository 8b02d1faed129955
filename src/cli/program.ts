import type { Command } from 'commander';
import { envidVersion } from '../shared/version.ts';
import { CliCommand } from './cli-command.ts';
import { registerAdminCommands } from './commands/admin.ts';
import { registerCompletionCommand } from './commands/completion.ts';
import { registerDiscoveryCommands } from './commands/discovery.ts';
import { registerHelpCommand } from './commands/help.ts';
import { formatExamples } from './commands/help-examples.ts';
import { registerIdpCommands } from './commands/idp.ts';
import { registerLoginCommands } from './commands/login.ts';
import { registerServeCommand } from './commands/serve.ts';

/**
 * The `envid` command tree. Each command's module imports what it needs lazily, and the admin groups
 * are registered only when `argv` may need them (`[]` registers everything, as tests and help do).
 */
export async function buildProgram(argv: string[]): Promise<Command> {
  const program = new CliCommand('envid')
    .description(
      'envid: an OpenID Connect identity provider for development environments. ' +
        'Commands talking to a server take --host/--token, else ENVID_HOST/ENVID_TOKEN, else the saved `envid login`.',
    )
    .version(envidVersion(), '-V, --version', 'print the version of envid')
    // Program options only before a command: `envid oidc-config set --version v3` is that command's.
    .enablePositionalOptions()
    // Commander's errors become usage errors (exit 2) in main.ts instead of exiting 1.
    .exitOverride();

  registerServeCommand(program);
  registerLoginCommands(program);
  registerIdpCommands(program);
  registerDiscoveryCommands(program);
  await registerAdminCommands(program, argv);
  registerHelpCommand(program);
  registerCompletionCommand(program);
  program.addHelpText(
    'after',
    formatExamples(['envid idp token --audience sts.amazonaws.com', 'envid help exit-codes']),
  );
  return program;
}

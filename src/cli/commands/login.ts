import type { Command } from 'commander';
import { type LoginFlags, parseLoginOptions } from '../config/login-options.ts';
import { readStdin } from '../read-stdin.ts';
import { formatExamples } from './help-examples.ts';

export function registerLoginCommands(program: Command): void {
  program
    .command('login')
    .summary('check a credential and save it with its host')
    .description(
      'Checks the credential against the server (IdentityService/GetAuthenticatedIdentity), says whose it is, ' +
        'and saves host and credential to $XDG_CONFIG_HOME/envid/credentials.json (default ' +
        '~/.config/envid/credentials.json; file mode 0600, directory 0700). Later commands use it when ' +
        'neither --host/--token nor ENVID_HOST/ENVID_TOKEN are given.',
    )
    .option('--host <url>', 'envid server URL (env ENVID_HOST)')
    .option('--token <token>', 'credential to save; "-" reads it from stdin (env ENVID_TOKEN)')
    .addHelpText(
      'after',
      formatExamples([
        'envid login --host https://envid.example.com --token envid_pat_…',
        'pbpaste | envid login --host https://envid.example.com --token -',
      ]),
    )
    .action(async (flags: LoginFlags) => {
      const stdinToken = flags.token === '-' ? await readStdin() : undefined;
      const connection = parseLoginOptions(flags, process.env, stdinToken);
      const { runLogin } = await import('../config/run-login.ts');
      await runLogin(connection, process.env, process.stdout);
    });

  program
    .command('logout')
    .summary('forget the saved login')
    .description(
      'Deletes the credentials file `envid login` wrote. The credential itself stays valid on the server ' +
        'until it is revoked there.',
    )
    .addHelpText('after', formatExamples(['envid logout']))
    .action(async () => {
      const { runLogout } = await import('../config/run-login.ts');
      await runLogout(process.env, process.stdout);
    });
}

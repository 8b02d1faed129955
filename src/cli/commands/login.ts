import type { Command } from 'commander';
import { parseLoginOptions } from '../config/login-options.ts';
import { parseSsoLoginOptions, type SsoLoginFlags, wantsSsoLogin } from '../config/sso-login-options.ts';
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
        'neither --host/--token nor ENVID_HOST/ENVID_TOKEN are given. With --sso it signs in through the ' +
        "organization's SSO instead (the browser on this machine, or with --no-browser an address and a code " +
        'to complete on another device) and saves the personal access token that ends with, bound to the organization.',
    )
    .option('--host <url>', 'envid server URL (env ENVID_HOST)')
    .option('--token <token>', 'credential to save; "-" reads it from stdin (env ENVID_TOKEN)')
    .option('--sso', "sign in through the organization's SSO instead, and save the token it ends with")
    .option('--sso-configuration <id>', 'with --sso: the SSO configuration to sign in with')
    .option('--org <id>', 'with --sso: the organization, when it has one active SSO configuration')
    .option('--no-browser', 'with --sso: print an address and a code to complete on another device')
    .addHelpText(
      'after',
      formatExamples([
        'envid login --host https://envid.example.com --token envid_pat_…',
        'pbpaste | envid login --host https://envid.example.com --token -',
        'envid login --host https://envid.example.com --sso --org 0190a1b2-…',
        'envid login --host https://envid.example.com --sso --sso-configuration 0190c3d4-… --no-browser',
      ]),
    )
    .action(async (flags: SsoLoginFlags) => {
      if (wantsSsoLogin(flags)) {
        const options = parseSsoLoginOptions(flags, process.env);
        const { runSsoLogin } = await import('../config/run-sso-login.ts');
        return runSsoLogin(options, process.env, process.stdout, process.stderr);
      }
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

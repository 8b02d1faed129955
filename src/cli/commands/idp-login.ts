import type { Command } from 'commander';
import { usageError } from '../../shared/exit-codes.ts';
import { formatExamples } from './help-examples.ts';
import { registerAwsLogin } from './idp-login-aws.ts';
import { registerAzureLogin } from './idp-login-azure.ts';
import { registerGcpLogin } from './idp-login-gcp.ts';
import { registerVaultLogin } from './idp-login-vault.ts';

/**
 * `envid idp login <provider>`: trade a fresh envid token for a cloud provider's credentials and set up
 * its CLI and SDKs. Each provider registers its subcommand from its own file here
 * (src/cli/commands/idp-login-<provider>.ts) with one line below; the subcommand's action imports the
 * provider's code lazily (`await import('../../providers/<provider>-login.ts')`), because
 * `envid idp token` must keep loading only commander (test/e2e/cli-idp.test.ts checks it).
 *
 * Shared pieces a provider login uses:
 * - src/cli/idp/required-value.ts: flag-or-environment values; a missing one names both.
 * - src/cli/idp/fresh-token.ts: a new envid token for the provider's audience.
 * - src/providers/explain-error.ts: one message for a provider's refusal, with the token's iss/sub/aud.
 */
export function registerIdpLoginCommands(idp: Command): Command {
  const login = idp
    .command('login')
    .summary('turn this environment’s envid token into a cloud provider’s credentials')
    .description(
      'Exchanges a fresh envid ID token with the provider at once (so that a broken trust is reported now, ' +
        'with the token’s iss/sub/aud beside what the provider expected), then sets up the provider’s CLI and ' +
        'SDKs so that they renew credentials by themselves. No secret is stored. Run it on every environment ' +
        'start (devcontainer postStartCommand or the runner’s start hook); see docs/providers/.',
    )
    .argument('[provider]', 'the provider to log in to')
    .addHelpText('after', formatExamples(['envid idp login --help']))
    .action((provider: string | undefined) => {
      const known = login.commands.map((command) => command.name()).join(', ') || 'none yet';
      throw usageError(
        provider === undefined
          ? `name a provider: envid idp login <provider> (one of: ${known})`
          : `unknown provider ${JSON.stringify(provider)}: one of ${known}`,
      );
    });
  // One line per provider: registerXLogin(login, idp) from ./idp-login-x.ts.
  registerAzureLogin(login);
  registerAwsLogin(login, idp);
  registerGcpLogin(login, idp);
  registerVaultLogin(login);
  return login;
}

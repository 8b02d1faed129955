import type { Command } from 'commander';
import { relyingParties } from '../../relying-parties/registry.ts';
import type { RelyingPartyCommand } from '../../relying-parties/relying-party.ts';
import { usageError } from '../../shared/exit-codes.ts';
import { addConnectionOptions } from '../config/load-connection.ts';
import type { ConnectionFlags } from '../config/resolve-connection.ts';
import { loginContext } from '../idp/login-context.ts';
import { formatExamples } from './help-examples.ts';

/**
 * `envid idp login <provider>`: trade a fresh envid token for a cloud provider's credentials and set up
 * its CLI and SDKs. One subcommand per entry of the relying-party registry
 * (src/relying-parties/registry.ts), with the commands its login writes for later (`envid idp
 * aws-credentials`, …) beside `envid idp login`. Each command loads its relying party's code only when
 * it runs, because `envid idp token` must keep loading only commander (test/e2e/cli-idp.test.ts checks
 * it). Adding a relying party: docs/relying-parties.md.
 */
export function registerIdpLoginCommands(idp: Command): Command {
  const known = relyingParties.map((party) => party.id).join(', ') || 'none yet';
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
      throw providerArgumentError('login', provider, known);
    });
  for (const party of relyingParties) {
    registerCommand(login, party.login);
    for (const command of party.commands) registerCommand(idp, command);
  }
  return login;
}

/** `envid idp <command>` without a provider, or with one it does not know: the usage error naming them. */
export function providerArgumentError(command: string, provider: string | undefined, known: string) {
  return usageError(
    provider === undefined
      ? `name a provider: envid idp ${command} <provider> (one of: ${known})`
      : `unknown provider ${JSON.stringify(provider)}: one of ${known}`,
  );
}

function registerCommand(parent: Command, spec: RelyingPartyCommand): void {
  const command = parent.command(spec.name).summary(spec.summary).description(spec.description);
  if (spec.connectionOptions === 'first') addConnectionOptions(command);
  for (const option of spec.options) {
    if (option.default === undefined) command.option(option.flags, option.description);
    else command.option(option.flags, option.description, option.default);
  }
  if (spec.connectionOptions === 'last') addConnectionOptions(command);
  command.addHelpText('after', formatExamples([...spec.examples])).action(async (flags: ConnectionFlags) => {
    const exitCode = await spec.run(flags as Record<string, unknown>, loginContext(flags));
    if (exitCode !== undefined) process.exitCode = exitCode;
  });
}

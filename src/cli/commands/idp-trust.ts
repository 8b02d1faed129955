import type { Command } from 'commander';
import { relyingParties } from '../../relying-parties/registry.ts';
import { addConnectionOptions } from '../config/load-connection.ts';
import type { TrustFlags } from '../idp/run-trust.ts';
import { scopeFlagDescription } from '../idp/trust-scope-flag.ts';
import { formatExamples } from './help-examples.ts';
import { refuseProvider } from './idp-login.ts';

/**
 * `envid idp trust <provider>`: the relying party's side of the trust (docs/trust.md), one subcommand
 * per entry of the registry with that party's own settings; the code loads when it runs.
 */
export function registerIdpTrustCommands(idp: Command): Command {
  const known = relyingParties.map((party) => party.id).join(', ');
  const trust = idp
    .command('trust')
    .summary('print the provider-side set-up that trusts a scope’s tokens')
    .description(
      'Writes what a relying party must be told to accept exactly the tokens of a scope (this principal, a ' +
        'project, the organization, one user, service account or runner): its own documents as JSON, as its ' +
        'tools take and show them, and the commands that create them. The server computes the sub from the ' +
        'organization’s configuration (TrustService/PlanTrust) and warns where the provider’s limits bite. See docs/trust.md.',
    )
    .argument('[provider]', 'the provider to set up')
    .addHelpText(
      'after',
      formatExamples(['envid idp trust aws --scope project:51b26e54-708f-4192-83a4-becfd0415206']),
    )
    .action(refuseProvider('trust', known));
  for (const party of relyingParties) {
    const command = trust
      .command(party.id)
      .summary(party.trust.summary)
      .description(
        `${party.title}: ${party.trust.summary}, for the tokens of --scope. See ${party.docs}#setting-up-trust.`,
      )
      .option('--scope <scope>', scopeFlagDescription, 'self')
      .option('--organization <id>', 'the organization (for the installation admin, who belongs to none)')
      .option('--commands', 'print only the commands, ready to paste (warnings go to stderr)');
    for (const option of party.trust.options) command.option(option.flags, option.description);
    addConnectionOptions(command)
      .addHelpText(
        'after',
        formatExamples([
          `envid idp trust ${party.id} --scope self`,
          `envid idp trust ${party.id} --scope organization --commands`,
        ]),
      )
      .action(async (flags: TrustFlags) => {
        const { runTrust } = await import('../idp/run-trust.ts');
        await runTrust(party, flags, { stdout: process.stdout, stderr: process.stderr });
      });
  }
  return trust;
}

import type { Command } from 'commander';
import { relyingParties } from '../../relying-parties/registry.ts';
import { addConnectionOptions } from '../config/load-connection.ts';
import type { CheckFlags } from '../idp/run-check.ts';
import { formatExamples } from './help-examples.ts';
import { refuseProvider } from './idp-login.ts';

/**
 * `envid idp check <provider>`: would the provider accept this token under this trust configuration,
 * and if not, which rule refuses it and where the values differ. One subcommand per relying party of
 * the registry that has a `check`; each loads its check only when it runs (docs/cli.md).
 */
export function registerIdpCheckCommands(idp: Command): Command {
  const parties = relyingParties.filter((party) => party.check !== undefined);
  const known = parties.map((party) => party.id).join(', ');
  const check = idp
    .command('check')
    .summary('explain whether a provider accepts a token under a trust configuration')
    .description(
      'Says whether the provider would accept the token (exit 0), or refuse it (exit 3) with its own error ' +
        'code, the rule at fault, the value the rule holds, the token’s value and where they first differ. ' +
        'The trust configuration is the provider’s own export or `envid idp trust` output (--config), or flags.',
    )
    .argument('[provider]', 'the provider to check against')
    .addHelpText('after', formatExamples(['envid idp check --help']))
    .action(refuseProvider('check', known));
  for (const party of parties) {
    const command = check
      .command(party.id)
      .summary(`would ${party.title} accept the token? (${party.docs})`)
      .description(
        `Checks a token against a ${party.title} trust configuration with ${party.title}’s own rules (${party.docs}, “Diagnosing a refusal”). ` +
          'Nothing is sent to the provider: the check runs here.',
      )
      .option(
        '--config <file>',
        'the provider’s own export or `envid idp trust` output, JSON or YAML (repeatable; - for stdin)',
        collect,
      )
      .option(
        '--token-file <file>',
        'the token to check (- for stdin); default: a fresh one from envid for --audience',
      )
      .option('--issuer <url>', 'the issuer the trust names (default: the token’s iss)')
      .option('--subject <sub>', 'the exact sub the trust names')
      .option(
        '--subject-prefix <prefix>',
        'a sub prefix the trust accepts (not for Azure, which matches exactly)',
      )
      .option(
        '--audience <aud>',
        `the audience the trust names, and that a fetched token is for (default: ${party.defaultAudience})`,
      )
      .option('--json', 'print the verdict as JSON');
    addConnectionOptions(command)
      .addHelpText(
        'after',
        formatExamples([
          `envid idp check ${party.id} --config trust.json`,
          `envid idp trust ${party.id} --json > trust.json && envid idp check ${party.id} --config trust.json --token-file token.jwt`,
          `envid idp check ${party.id} --subject "$(envid idp token --audience ${party.defaultAudience.includes('<') ? 'AUD' : party.defaultAudience} --decode | jq -r .Claims.sub)" --json`,
        ]),
      )
      .action(async (flags: CheckFlags) => {
        const [{ runCheck }, trustCheck] = await Promise.all([
          import('../idp/run-check.ts'),
          party.check!.load(),
        ]);
        process.exitCode = await runCheck(party, trustCheck, flags, {
          env: process.env,
          stdout: process.stdout,
          now: () => Math.floor(Date.now() / 1000),
        });
      });
  }
  return check;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

import type { Command } from 'commander';
import { addConnectionOptions, loadConnection } from '../config/load-connection.ts';
import type { ConnectionFlags } from '../config/resolve-connection.ts';
import { addFlags } from '../flag-spec.ts';
import { tokenFlags } from '../idp/token-flags.ts';
import type { TokenFlags } from '../idp/token-options.ts';
import { formatExamples } from './help-examples.ts';
import { registerIdpCheckCommands } from './idp-check.ts';
import { registerIdpLoginCommands } from './idp-login.ts';
import { registerIdpTrustCommands } from './idp-trust.ts';

export function registerIdpCommands(program: Command): void {
  const idp = program
    .command('idp')
    .summary('ID tokens for code in an environment')
    .description(
      'Commands that code running inside an environment uses: ask envid for a signed ID token (a JWT) to ' +
        'trade with a cloud provider or any OIDC relying party, and see which identity the credential is.',
    )
    .addHelpText(
      'after',
      formatExamples(['envid idp token --audience sts.amazonaws.com', 'envid idp whoami']),
    );

  addConnectionOptions(
    addFlags(
      idp
        .command('token')
        .summary('print or write an ID token for one or more audiences')
        .description(
          'Asks envid for an ID token (IdentityService/GetIDToken) and prints the JWT alone on stdout, for $(...). ' +
            'With --output-file it writes the token atomically (mode 0600) instead; with --refresh it keeps ' +
            'renewing the file at 2/3 of each token lifetime until SIGTERM/SIGINT, so SDKs reading a token file ' +
            '(AWS_WEB_IDENTITY_TOKEN_FILE, AZURE_FEDERATED_TOKEN_FILE, Google credential_source.file) always ' +
            'find a valid one; --background does that in a detached process and writes its pid to --pid-file ' +
            '(default <output-file>.pid; its log goes to <output-file>.log).',
        ),
      tokenFlags,
    ),
  )
    .addHelpText(
      'after',
      formatExamples([
        'envid idp token --audience sts.amazonaws.com',
        'envid idp token --audience vault --audience https://api.example.com --lifetime 15m --decode',
        'envid idp token --audience sts.amazonaws.com --output-file /tmp/aws-token --refresh --background',
        'export AWS_WEB_IDENTITY_TOKEN_FILE=/tmp/aws-token',
      ]),
    )
    .action(async (flags: TokenFlags & ConnectionFlags) => {
      const { runTokenCommand } = await import('../idp/token-command.ts');
      await runTokenCommand(flags);
    });

  addConnectionOptions(
    idp
      .command('whoami')
      .summary('show which identity the credential is')
      .description(
        'Asks envid who the credential is (IdentityService/GetAuthenticatedIdentity): its principal (user, ' +
          'service account, runner, environment or installation admin), its id and its organization.',
      )
      .option('--json', 'print {"host", "organizationId", "subject": {"id", "principal"}} as JSON'),
  )
    .addHelpText('after', formatExamples(['envid idp whoami', 'envid idp whoami --json | jq -r .subject.id']))
    .action(async (flags: ConnectionFlags & { json?: boolean }) => {
      const connection = await loadConnection(flags, process.env);
      const { runWhoami } = await import('../idp/run-whoami.ts');
      await runWhoami(connection, flags.json === true, process.stdout);
    });

  registerIdpLoginCommands(idp);
  registerIdpTrustCommands(idp);
  registerIdpCheckCommands(idp);
}

import type { Command } from 'commander';
import { addConnectionOptions } from '../config/load-connection.ts';
import { formatExamples } from './help-examples.ts';

/** `envid idp login azure` (docs/providers/azure.md). */
export function registerAzureLogin(login: Command): void {
  addConnectionOptions(
    login
      .command('azure')
      .summary('trade the envid token with Entra ID; set up az and the Azure SDKs')
      .description(
        'Asks envid for a token for --audience and exchanges it at the tenant’s token endpoint (client ' +
          'credentials with the token as client assertion), so that a broken federated credential shows now. ' +
          'Then keeps a token file fresh in the background (~/.config/envid/azure/federated-token), ' +
          'writes AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE (and AZURE_AUTHORITY_HOST) to ' +
          '~/.config/envid/env.sh, sourced from ~/.bashrc (and ~/.profile, ~/.zshrc), for ' +
          'WorkloadIdentityCredential and DefaultAzureCredential, and logs az in when it is installed.',
      )
      .option(
        '--client-id <guid>',
        'the app registration’s application (client) ID (env IDP_AZURE_CLIENT_ID)',
      )
      .option('--tenant-id <guid>', 'the directory (tenant) ID (env IDP_AZURE_TENANT_ID)')
      .option('--subscription-id <guid>', 'subscription az selects (env IDP_AZURE_SUBSCRIPTION_ID)')
      .option('--audience <aud>', 'audience of the envid token (default: api://AzureADTokenExchange)')
      .option(
        '--authority-host <url>',
        'Entra authority (env AZURE_AUTHORITY_HOST; default: https://login.microsoftonline.com)',
      ),
  )
    .addHelpText(
      'after',
      formatExamples([
        'envid idp login azure --client-id 11111111-2222-3333-4444-555555555555 --tenant-id 66666666-7777-8888-9999-000000000000',
        'IDP_AZURE_CLIENT_ID=… IDP_AZURE_TENANT_ID=… IDP_AZURE_SUBSCRIPTION_ID=… envid idp login azure',
      ]),
    )
    .action(async (flags) => {
      const { runAzureLogin } = await import('../../providers/azure-login.ts');
      await runAzureLogin(flags, { env: process.env, stdout: process.stdout, stderr: process.stderr });
    });
}

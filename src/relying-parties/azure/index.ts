import type { RelyingParty } from '../relying-party.ts';
import { azureLimits } from './limits.ts';
import { azureDefaultAudience, tokenProblemsForAzure } from './rules.ts';
import { azureTrust } from './trust.ts';

/** Entra ID workload identity federation for az and the Azure SDKs (docs/providers/azure.md). */
export const azure: RelyingParty = {
  id: 'azure',
  title: 'Azure (Entra ID)',
  docs: 'docs/providers/azure.md',
  defaultAudience: azureDefaultAudience,
  limits: azureLimits,
  check: { load: async () => (await import('./check.ts')).azureTrustCheck },
  rules: { tokenProblems: tokenProblemsForAzure },
  login: {
    name: 'azure',
    summary: 'trade the envid token with Entra ID; set up az and the Azure SDKs',
    description:
      'Asks envid for a token for --audience and exchanges it at the tenant’s token endpoint (client ' +
      'credentials with the token as client assertion), so that a broken federated credential shows now. ' +
      'Then keeps a token file fresh in the background (~/.config/envid/azure/federated-token), ' +
      'writes AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE (and AZURE_AUTHORITY_HOST) to ' +
      '~/.config/envid/env.sh, sourced from ~/.bashrc (and ~/.profile, ~/.zshrc), for ' +
      'WorkloadIdentityCredential and DefaultAzureCredential, and logs az in when it is installed.',
    connectionOptions: 'last',
    options: [
      {
        flags: '--client-id <guid>',
        description: 'the app registration’s application (client) ID (env IDP_AZURE_CLIENT_ID)',
      },
      { flags: '--tenant-id <guid>', description: 'the directory (tenant) ID (env IDP_AZURE_TENANT_ID)' },
      {
        flags: '--subscription-id <guid>',
        description: 'subscription az selects (env IDP_AZURE_SUBSCRIPTION_ID)',
      },
      {
        flags: '--audience <aud>',
        description: 'audience of the envid token (default: api://AzureADTokenExchange)',
      },
      {
        flags: '--authority-host <url>',
        description: 'Entra authority (env AZURE_AUTHORITY_HOST; default: https://login.microsoftonline.com)',
      },
    ],
    examples: [
      'envid idp login azure --client-id 11111111-2222-3333-4444-555555555555 --tenant-id 66666666-7777-8888-9999-000000000000',
      'IDP_AZURE_CLIENT_ID=… IDP_AZURE_TENANT_ID=… IDP_AZURE_SUBSCRIPTION_ID=… envid idp login azure',
    ],
    run: async (flags, context) => {
      const { runAzureLogin } = await import('./login.ts');
      await runAzureLogin(flags, context);
      return undefined;
    },
  },
  commands: [],
  trust: azureTrust,
};

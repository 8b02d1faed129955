import { usageError } from '../../shared/exit-codes.ts';
import { shellQuote } from '../../shared/shell-quote.ts';
import type { RelyingPartyOption, RelyingPartyTrust } from '../relying-party.ts';
import { placeholderWarnings, trustSetting } from '../support/trust-setting.ts';
import { describeScope, type TrustEnvelope, type TrustPlan, trustEnvelope } from '../trust-plan.ts';
import { azureDefaultAudience } from './rules.ts';
import { azureCredentialName, azureCredentialNamePattern } from './trust-plan.ts';

export const azureTrustOptions: readonly RelyingPartyOption[] = [
  {
    flags: '--app-id <id>',
    description: 'the app registration (az ad app … --id: its application or object ID)',
  },
  {
    flags: '--identity <name>',
    description: 'the user-assigned managed identity (az identity … --identity-name)',
  },
  { flags: '--resource-group <name>', description: 'the managed identity’s resource group' },
  {
    flags: '--name <name>',
    description: 'the credential’s name when the scope needs one (default: envid-<scope>-<id>)',
  },
  { flags: '--audience <aud>', description: `aud of the tokens (default: ${azureDefaultAudience})` },
];

/**
 * Federated identity credentials exactly as `az ad app federated-credential create --parameters` takes
 * them and `… list` returns them (name, issuer, subject, audiences, description), one per distinct sub of
 * the scope (docs/providers/azure.md#setting-up-trust).
 */
export function renderAzureTrust(plan: TrustPlan, settings: Record<string, unknown>): TrustEnvelope {
  const placeholders: string[] = [];
  const audience = typeof settings['audience'] === 'string' ? settings['audience'] : azureDefaultAudience;
  const app = trustSetting(settings, 'appId', '<APP_ID>', placeholders);
  const identity = trustSetting(settings, 'identity', '<IDENTITY_NAME>', placeholders);
  const group = trustSetting(settings, 'resourceGroup', '<RESOURCE_GROUP>', placeholders);
  const { azure } = plan.plans;
  const named = typeof settings['name'] === 'string' ? settings['name'] : undefined;
  if (named !== undefined && !azureCredentialNamePattern.test(named)) {
    throw usageError(
      `--name: "${named}" is not a valid federated credential name: 3-120 characters of letters, digits, "-" and "_", starting with a letter or digit`,
    );
  }
  const scope = describeScope(plan);
  const credentials = azure.credentials.map((credential, i) => ({
    name:
      named !== undefined && azure.credentials.length === 1
        ? named
        : credential.name || azureCredentialName(String(i)),
    issuer: plan.issuer,
    subject: credential.subject,
    audiences: [audience],
    description: `envid ${scope}`,
  }));
  const commands = credentials.flatMap((credential) => [
    `az ad app federated-credential create --id ${shellQuote(app)} --parameters ${shellQuote(JSON.stringify(credential))}`,
    `az identity federated-credential create --name ${shellQuote(credential.name)} --identity-name ${shellQuote(identity)} --resource-group ${shellQuote(group)} --issuer ${shellQuote(credential.issuer)} --subject ${shellQuote(credential.subject)} --audiences ${shellQuote(audience)}`,
  ]);
  return trustEnvelope('azure', plan, audience, {
    documents: { federatedCredentials: credentials },
    commands,
    warnings: [
      ...azure.warnings.map((warning) => warning.message),
      ...(credentials.length > 0
        ? [
            'Entra takes a few minutes to propagate a new credential (AADSTS70021 meanwhile); run one of the two commands per credential: the app registration’s or the managed identity’s',
          ]
        : []),
      ...placeholderWarnings(placeholders, '--app-id, or --identity and --resource-group'),
    ],
  });
}

export const azureTrust: RelyingPartyTrust = {
  summary: 'federated identity credentials for an app registration or managed identity',
  options: azureTrustOptions,
  render: renderAzureTrust,
};

import { usageError } from '../../shared/exit-codes.ts';
import {
  isObject,
  requireString,
  stringList,
  type TrustInput,
  unrecognized,
  unwrapTrustInput,
} from '../support/trust-input.ts';
import { azureLimits } from './limits.ts';
import { azureDefaultAudience } from './rules.ts';

/** A federated identity credential as Microsoft Graph and `az … federated-credential` show it. */
export interface AzureFederatedCredential {
  name: string;
  issuer: string;
  subject: string;
  audiences: string[];
}

const accepted =
  'the JSON of `az ad app federated-credential list --id <app>` (or `show`, `az identity federated-credential list`), Graph’s {"value": [...]}, or `envid idp trust azure` output';

/**
 * The federated credentials `envid idp check azure` matches against: from `--config` files (the
 * list, one credential, Graph's `{"value": [...]}`, or `envid idp trust azure`'s envelope), else one
 * built from --issuer, --subject and --audience.
 */
export function readAzureTrust(input: TrustInput): AzureFederatedCredential[] {
  const { documents, flags } = unwrapTrustInput('azure', input);
  const credentials: AzureFederatedCredential[] = [];
  // An empty list is an answer too: the application has no federated credentials.
  let listed = false;
  for (const { source, value } of documents) {
    const list = Array.isArray(value)
      ? value
      : isObject(value) && Array.isArray(value['value'])
        ? value['value']
        : isObject(value) && 'subject' in value
          ? [value]
          : undefined;
    if (list === undefined) {
      // An envelope's commands and notes are not credentials.
      if (source.includes(' documents.')) continue;
      throw unrecognized(source, 'Azure', accepted);
    }
    listed = true;
    // One list is one application's (or managed identity's): Graph refuses a 21st credential.
    if (list.length > azureLimits.trustEntries)
      throw usageError(
        `${source}: ${list.length} federated credentials; Entra holds at most ${azureLimits.trustEntries} per application or managed identity (Microsoft Graph refuses the next): see envid idp trust azure's planning for a coarser sub`,
      );
    list.forEach((entry, index) => {
      credentials.push(readCredential(entry, `${source} credential ${index + 1}`));
    });
  }
  if (listed) return credentials;
  if (flags.subjectPrefix !== undefined && flags.subject === undefined)
    throw usageError(
      'Azure matches a federated credential’s subject exactly (no wildcards for a custom issuer): give --subject, not --subject-prefix',
    );
  if (flags.subject === undefined || flags.issuer === undefined)
    throw usageError(`give --subject (and --issuer), or --config with ${accepted}`);
  const credential = {
    name: 'flags',
    issuer: flags.issuer,
    subject: flags.subject,
    audiences: [flags.audience ?? azureDefaultAudience],
  };
  return [withinLimits(credential, '--subject / --issuer')];
}

function readCredential(entry: unknown, source: string): AzureFederatedCredential {
  if (!isObject(entry)) throw usageError(`${source}: must be an object with issuer, subject and audiences`);
  const name = typeof entry['name'] === 'string' ? entry['name'] : source;
  const audiences = stringList(entry['audiences'] ?? [azureDefaultAudience], source, 'audiences');
  if (audiences.length !== 1)
    throw usageError(
      `${source}: audiences must hold exactly one audience (Entra allows one), got ${audiences.length}`,
    );
  const credential = {
    name,
    issuer: requireString(entry['issuer'], source, 'issuer'),
    subject: requireString(entry['subject'], source, 'subject'),
    audiences,
  };
  return withinLimits(credential, source);
}

/** The credential, if Entra can hold it: issuer and subject of at most 600 characters. */
function withinLimits(credential: AzureFederatedCredential, source: string): AzureFederatedCredential {
  for (const field of ['issuer', 'subject'] as const) {
    const { max } = azureLimits[field];
    if (credential[field].length > max)
      throw usageError(
        `${source}: ${field} has ${credential[field].length} characters; Entra holds at most ${max} (Microsoft Graph refuses to create such a credential)`,
      );
  }
  return credential;
}

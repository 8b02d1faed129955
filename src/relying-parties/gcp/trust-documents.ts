import { usageError } from '../../shared/exit-codes.ts';
import {
  isObject,
  requireString,
  stringList,
  type TrustInput,
  unrecognized,
  unwrapTrustInput,
} from '../support/trust-input.ts';

/** A workload identity pool provider as `gcloud iam workload-identity-pools providers describe` shows it. */
export interface GoogleProviderTrust {
  /** `projects/N/locations/global/workloadIdentityPools/P/providers/R`, when known. */
  name?: string;
  issuerUri: string;
  /** Empty: the token's aud must be `//iam.googleapis.com/<name>` (or with `https:`). */
  allowedAudiences: string[];
  /** `google.subject`, `google.groups`, `attribute.<key>` → a CEL expression over `assertion`. */
  attributeMapping: Record<string, string>;
  attributeCondition?: string;
  disabled: boolean;
}

const accepted =
  'the JSON of `gcloud iam workload-identity-pools providers describe <provider> --workload-identity-pool <pool> --location global --format=json`, or `envid idp trust gcp` output';

/**
 * The workload identity provider `envid idp check gcp` evaluates: from a `--config` file (gcloud's
 * describe output, or the provider in `envid idp trust gcp`'s envelope), else one built from
 * --issuer, --audience (its allowed audience) and --subject / --subject-prefix (an attribute
 * condition on `assertion.sub`).
 */
export function readGoogleTrust(input: TrustInput): GoogleProviderTrust {
  const { documents, flags } = unwrapTrustInput('gcp', input);
  const providers = documents.filter(
    ({ value }) => isObject(value) && (isObject(value['oidc']) || 'attributeMapping' in value),
  );
  for (const { source, value } of documents)
    if (!providers.some((provider) => provider.value === value) && !source.includes(' documents.'))
      throw unrecognized(source, 'Google workload identity provider', accepted);
  if (providers.length > 1)
    throw usageError(
      `give one workload identity provider, got ${providers.length} (${providers.map((provider) => provider.source).join(', ')})`,
    );
  const found = providers[0];
  if (found) return readProvider(found.value as Record<string, unknown>, found.source);
  if (flags.issuer === undefined)
    throw usageError(
      `give --issuer (with --audience and --subject or --subject-prefix), or --config with ${accepted}`,
    );
  if (flags.audience === undefined)
    throw usageError(
      "give --audience: the provider's allowed audience (without one, Google wants //iam.googleapis.com/<provider name>, which only --config with gcloud's describe output names)",
    );
  const condition =
    flags.subject !== undefined
      ? `assertion.sub == ${JSON.stringify(flags.subject)}`
      : flags.subjectPrefix !== undefined
        ? `assertion.sub.startsWith(${JSON.stringify(flags.subjectPrefix)})`
        : undefined;
  return {
    issuerUri: flags.issuer,
    allowedAudiences: [flags.audience],
    attributeMapping: { 'google.subject': 'assertion.sub' },
    ...(condition ? { attributeCondition: condition } : {}),
    disabled: false,
  };
}

function readProvider(value: Record<string, unknown>, source: string): GoogleProviderTrust {
  const oidc = value['oidc'];
  if (!isObject(oidc))
    throw usageError(
      `${source}: oidc must be an object with issuerUri (this check is for OIDC providers, not SAML or AWS)`,
    );
  const mapping = value['attributeMapping'] ?? { 'google.subject': 'assertion.sub' };
  if (!isObject(mapping) || !Object.values(mapping).every((entry) => typeof entry === 'string'))
    throw usageError(`${source}: attributeMapping must map attribute names to CEL expressions (strings)`);
  if (typeof mapping['google.subject'] !== 'string')
    throw usageError(
      `${source}: attributeMapping must map google.subject, e.g. "google.subject": "assertion.sub"`,
    );
  const condition = value['attributeCondition'];
  if (condition !== undefined && typeof condition !== 'string')
    throw usageError(`${source}: attributeCondition must be a CEL expression (a string)`);
  return {
    ...(typeof value['name'] === 'string' ? { name: value['name'] } : {}),
    issuerUri: requireString(oidc['issuerUri'], source, 'oidc.issuerUri'),
    allowedAudiences: stringList(oidc['allowedAudiences'] ?? [], source, 'oidc.allowedAudiences'),
    attributeMapping: mapping as Record<string, string>,
    ...(condition ? { attributeCondition: condition } : {}),
    disabled: value['disabled'] === true || value['state'] === 'DELETED',
  };
}

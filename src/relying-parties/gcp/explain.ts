import type { ProviderRefusal } from '../support/explain-error.ts';
import type { GoogleError } from './exchange.ts';
import { googleLimits } from './limits.ts';
import { stsAudience, type WorkloadIdentityProvider } from './rules.ts';

/**
 * What a Google refusal means and what to do, for src/relying-parties/support/explain-error.ts. Every
 * one says what was expected (`expected`, or what the provider's `rule` must hold for this token), so the
 * message always has its `expected:` line.
 */
export type GoogleErrorExplanation = Pick<ProviderRefusal, 'meaning' | 'expected' | 'rule' | 'nextStep'>;

export interface GoogleLoginContext {
  provider: WorkloadIdentityProvider;
  /** The JWT's audience the login asked envid for. */
  audience: string;
  /** The token's `iss` (envid's issuer), which the provider's issuerUri must equal. */
  issuer?: string;
  serviceAccount?: string;
}

/** Explains each documented Google STS / IAM Credentials error. */
export function explainGoogleError(error: GoogleError, context: GoogleLoginContext): GoogleErrorExplanation {
  const { provider } = context;
  const providerRef = `${provider.provider} in pool ${provider.pool} of project ${provider.projectNumber}`;
  const describeProvider =
    `gcloud iam workload-identity-pools providers describe ${provider.provider} --workload-identity-pool=${provider.pool} ` +
    `--location=global --project=${provider.projectNumber}`;
  const description = error.description.toLowerCase();
  if (error.service === 'iamcredentials') {
    if (error.code === 'PERMISSION_DENIED' || error.status === 403 || error.code === 'NOT_FOUND') {
      const principal = `principalSet://iam.googleapis.com/projects/${provider.projectNumber}/locations/global/workloadIdentityPools/${provider.pool}/*`;
      return {
        meaning:
          'the federated identity may not impersonate the service account: it lacks roles/iam.workloadIdentityUser on it, or the service account does not exist',
        rule: {
          holder: `the IAM policy of service account ${context.serviceAccount}`,
          values: {
            binding: `roles/iam.workloadIdentityUser for ${principal} (or a principal:// member for this subject)`,
          },
        },
        nextStep:
          `grant it, e.g. \`gcloud iam service-accounts add-iam-policy-binding ${context.serviceAccount} ` +
          `--role=roles/iam.workloadIdentityUser --member="${principal}"\` (or a principal:// member for one subject), ` +
          'or check the e-mail passed to --service-account',
      };
    }
    return {
      meaning: 'IAM Credentials refused to issue an access token for the service account',
      expected: {
        'service account': context.serviceAccount,
        API: 'iamcredentials.googleapis.com enabled in its project',
      },
      nextStep:
        'check that the IAM Credentials API (iamcredentials.googleapis.com) is enabled in the project',
    };
  }
  switch (error.code) {
    case 'invalid_request':
      return {
        meaning:
          'STS did not accept the request; usually the audience is not a workload identity provider resource name',
        expected: { audience: stsAudience(provider) },
        nextStep: `check --workload-identity-provider (project number, pool and provider IDs): ${describeProvider}`,
      };
    case 'invalid_target':
      return {
        meaning: `the workload identity pool or provider (${providerRef}) does not exist, was deleted, or is disabled`,
        expected: { provider: `${provider.name}, existing and enabled` },
        nextStep: `check it exists and is enabled: ${describeProvider}`,
      };
    case 'unauthorized_client':
      // Google answers a google.subject mapping that gives no string with this code too.
      if (description.includes('google.subject'))
        return {
          meaning: "the provider's attribute mapping gives google.subject no string for this token",
          expected: { 'google.subject': 'a CEL expression giving a string, e.g. assertion.sub' },
          nextStep: `check the mapping (${describeProvider} --format='value(attributeMapping)'): a comparison belongs in --attribute-condition`,
        };
      return {
        meaning: "the token was rejected by the provider's attribute condition",
        expected: {
          'attribute condition':
            "true for the token's claims (assertion.sub, assertion.aud, … as --decode shows them)",
        },
        nextStep: `compare the condition (${describeProvider} --format='value(attributeCondition)') with the token's claims (\`envid idp token --audience ${context.audience} --decode\`)`,
      };
    case 'invalid_grant':
      return explainInvalidGrant(description, context, describeProvider);
    default:
      return {
        meaning: `Google STS answered HTTP ${error.status}`,
        expected: { answer: 'an access token or an OAuth error from Google STS' },
        nextStep: 'retry later; if it persists, check the provider and Google Cloud status',
      };
  }
}

function explainInvalidGrant(
  description: string,
  context: GoogleLoginContext,
  describeProvider: string,
): GoogleErrorExplanation {
  const { provider } = context;
  if (description.includes('audience')) {
    const update =
      `gcloud iam workload-identity-pools providers update-oidc ${provider.provider} ` +
      `--workload-identity-pool=${provider.pool} --location=global --allowed-audiences=${context.audience}`;
    const isDefault = context.audience === stsAudience(provider);
    return {
      meaning: "the token's aud is not one the provider accepts",
      expected: {
        aud: isDefault
          ? `one of the provider's allowedAudiences (they replace the default ${context.audience})`
          : `${stsAudience(provider)}, or one of the provider's allowedAudiences`,
      },
      nextStep: isDefault
        ? `pass one of the provider's allowed audiences with --audience, or add this one (${update}; the list replaces the old one)`
        : `log in without --audience (the default is the provider's resource name), or add this one (${update}; the list replaces the old one)`,
    };
  }
  if (description.includes('issuer')) {
    return {
      meaning: "the token's iss is not the provider's issuer URI",
      rule: {
        holder: 'the provider',
        values: {
          issuerUri: `${context.issuer ?? "envid's issuer"} (byte for byte, trailing slash included)`,
        },
      },
      nextStep: `set the provider's --issuer-uri to envid's issuer exactly (as discovery says, trailing slash included): ${describeProvider}`,
    };
  }
  // Not any "127": Google's messages carry timestamps and addresses (`issued at 1795912755`, 127.0.0.1).
  if (description.includes('google.subject') || /\b127 bytes\b/.test(description)) {
    return {
      meaning: `google.subject, mapped from the token, is longer than ${googleLimits.subject.max} bytes`,
      expected: { 'google.subject': `at most ${googleLimits.subject.max} bytes` },
      nextStep:
        "map google.subject from a shorter claim (e.g. --attribute-mapping=google.subject=assertion.environment_id) or remove extra sub fields from the organization's OIDC configuration",
    };
  }
  if (/expired|stale|lifetime|\biat\b|\bexp\b|not yet valid|future/.test(description)) {
    return {
      meaning: "the token's time claims were refused (expired, issued in the future, or living 48 h or more)",
      expected: { time: 'iat in the past, exp in the future, exp - iat < 48 h' },
      nextStep: "check this machine's and envid's clocks, then log in again",
    };
  }
  if (/signature|jwk|key|kid/.test(description)) {
    return {
      meaning: "the token's signature could not be verified with the keys of envid's JWKS",
      expected: { kid: "a key in envid's JWKS" },
      nextStep:
        "check that envid's discovery and JWKS are reachable from the internet at the provider's issuer URI, or upload the JWKS to the provider (--jwk-json-path) again after a key rotation",
    };
  }
  return {
    meaning: 'Google STS refused the token',
    rule: {
      holder: `the provider ${provider.name}`,
      values: { issuerUri: context.issuer, 'allowed audience': context.audience },
    },
    nextStep: `compare the provider (${describeProvider}) with the token (\`envid idp token --audience ${context.audience} --decode\`)`,
  };
}

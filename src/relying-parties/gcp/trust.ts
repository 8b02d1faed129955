import { usageError } from '../../shared/exit-codes.ts';
import { shellQuote } from '../../shared/shell-quote.ts';
import type { RelyingPartyOption, RelyingPartyTrust } from '../relying-party.ts';
import { celSubjectRule } from '../support/cel-subject-rule.ts';
import { placeholderWarnings, trustSetting } from '../support/trust-setting.ts';
import { describeScope, type TrustEnvelope, type TrustPlan, trustEnvelope } from '../trust-plan.ts';
import { parseServiceAccountEmail } from './rules.ts';
import { subFromAssertion } from './trust-plan.ts';

export const gcpTrustOptions: readonly RelyingPartyOption[] = [
  { flags: '--project-number <number>', description: 'the Google Cloud project (number) of the pool' },
  { flags: '--pool <id>', description: 'workload identity pool ID, 4-32 of a-z 0-9 - (default: envid)' },
  { flags: '--provider <id>', description: 'provider ID in the pool, 4-32 of a-z 0-9 - (default: envid)' },
  { flags: '--service-account <email>', description: 'a service account the scope may impersonate' },
  {
    flags: '--audience <aud>',
    description:
      'aud of the tokens, the allowed audience (default: //iam.googleapis.com/<provider name>, none listed)',
  },
];

const idPattern = /^[a-z0-9-]{4,32}$/;

/**
 * The workload identity pool and its OIDC provider, as `gcloud iam workload-identity-pools … describe
 * --format=json` shows them (`attributeMapping`, `attributeCondition`, `oidc.issuerUri`,
 * `oidc.allowedAudiences`), and the impersonation binding (docs/providers/gcp.md#setting-up-trust). The
 * attribute condition checks the whole `assertion.sub`, whatever `google.subject` is mapped from.
 */
export function renderGcpTrust(plan: TrustPlan, settings: Record<string, unknown>): TrustEnvelope {
  const placeholders: string[] = [];
  const projectNumber = trustSetting(settings, 'projectNumber', '<PROJECT_NUMBER>', placeholders);
  if (!placeholders.includes(projectNumber) && !/^\d+$/.test(projectNumber)) {
    throw usageError(
      `--project-number: "${projectNumber}" is not a project number (digits; gcloud projects describe PROJECT_ID --format='value(projectNumber)')`,
    );
  }
  const pool = id(settings, 'pool');
  const providerId = id(settings, 'provider');
  const poolName = `projects/${projectNumber}/locations/global/workloadIdentityPools/${pool}`;
  const providerName = `${poolName}/providers/${providerId}`;
  const given = typeof settings['audience'] === 'string' ? settings['audience'] : undefined;
  const audience = given ?? `//iam.googleapis.com/${providerName}`;
  const { gcp } = plan.plans;
  const attributeMapping: Record<string, string> = {
    'google.subject': gcp.subjectMapping,
    'attribute.organization_id': 'assertion.organization_id',
  };
  const attributeCondition = celSubjectRule(plan, 'assertion');
  const provider = {
    name: providerName,
    displayName: 'envid',
    attributeMapping,
    attributeCondition,
    oidc: { issuerUri: plan.issuer, ...(given ? { allowedAudiences: [given] } : {}) },
  };
  const mapping = Object.entries(attributeMapping)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
  const commands = [
    `gcloud iam workload-identity-pools create ${shellQuote(pool)} --project=${shellQuote(projectNumber)} --location=global --display-name=envid`,
    `gcloud iam workload-identity-pools providers create-oidc ${shellQuote(providerId)} --project=${shellQuote(projectNumber)} --location=global --workload-identity-pool=${shellQuote(pool)} --display-name=envid --issuer-uri=${shellQuote(plan.issuer)}${given ? ` --allowed-audiences=${shellQuote(given)}` : ''} --attribute-mapping=${shellQuote(mapping)} --attribute-condition=${shellQuote(attributeCondition)}`,
  ];
  const documents: Record<string, unknown> = { pool: { name: poolName, displayName: 'envid' }, provider };
  const warnings = gcp.warnings.map((warning) => warning.message);
  const email = settings['serviceAccount'];
  if (typeof email === 'string') {
    const serviceAccount = checkedEmail(email);
    const exactMember = plan.subject !== undefined && gcp.subjectMapping === subFromAssertion;
    const member = exactMember
      ? `principal://iam.googleapis.com/${poolName}/subject/${plan.subject}`
      : `principalSet://iam.googleapis.com/${poolName}/*`;
    if (!exactMember) {
      warnings.push(
        `the binding names every identity of the pool ${pool} (the provider's attribute condition admits only the ${describeScope(plan)}'s tokens): keep the pool for this scope`,
      );
    }
    const binding = { role: 'roles/iam.workloadIdentityUser', members: [member] };
    documents['serviceAccountBinding'] = { serviceAccount, ...binding };
    commands.push(
      `gcloud iam service-accounts add-iam-policy-binding ${shellQuote(serviceAccount)} --role=roles/iam.workloadIdentityUser --member=${shellQuote(member)}`,
    );
  }
  return trustEnvelope('gcp', plan, audience, {
    documents,
    commands,
    warnings: [
      ...warnings,
      `envid idp login gcp --workload-identity-provider ${providerName}${given ? ` --audience ${given}` : ''} uses it`,
      ...placeholderWarnings(placeholders, '--project-number'),
    ],
  });
}

function id(settings: Record<string, unknown>, name: 'pool' | 'provider'): string {
  const value = typeof settings[name] === 'string' ? (settings[name] as string) : 'envid';
  if (!idPattern.test(value)) throw usageError(`--${name}: "${value}" must be 4-32 of a-z 0-9 -`);
  return value;
}

function checkedEmail(value: string): string {
  try {
    return parseServiceAccountEmail(value);
  } catch (error) {
    throw usageError(`--service-account: ${(error as Error).message}`);
  }
}

export const gcpTrust: RelyingPartyTrust = {
  summary: 'a workload identity pool, its OIDC provider and the impersonation binding',
  options: gcpTrustOptions,
  render: renderGcpTrust,
};

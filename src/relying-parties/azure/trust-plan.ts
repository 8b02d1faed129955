import type { OidcConfig } from '../../core/domain/oidc-config.ts';
import { subjectSub } from '../../core/tokens/compose-sub.ts';
import { subjectId, type TokenSubject } from '../../core/tokens/token-subject.ts';
import { scopeSubject } from '../../core/tokens/trust-scope.ts';
import type { AzureTrustPlanMessage, ScopeData, TrustWarning } from '../trust-plan.ts';
import { azureLimits } from './limits.ts';

const maxCredentials = azureLimits.trustEntries;
const maxSubject = azureLimits.subject.max;
/** Credentials listed one by one; `credentialCount` has them all (an organization may have thousands of subs). */
const maxListed = 100;

/** Azure's federated credential names: 3-120 of letters, digits, `-` and `_`, starting with a letter or digit. */
export const azureCredentialNamePattern = /^[A-Za-z0-9][A-Za-z0-9_-]{2,119}$/;

const shortKind = { user: 'user', service_account: 'sa', runner: 'runner', environment: 'env' } as const;

/** A valid credential name from parts (IDs are UUIDs: letters, digits and `-`). */
export function azureCredentialName(...parts: string[]): string {
  const name = ['envid', ...parts]
    .join('-')
    .replace(/[^A-Za-z0-9_-]/g, '-')
    .slice(0, 120);
  return azureCredentialNamePattern.test(name) ? name : 'envid-trust';
}

/**
 * Azure matches `sub` exactly, so a scope needs one federated credential per distinct sub, at most 20 per
 * identity, each at most 600 characters. When the scope has no single sub (a prefix scope) every sub of
 * its existing principals is listed, and a configuration under which it fits is proposed.
 */
export function planAzureTrust(data: ScopeData): AzureTrustPlanMessage {
  const { subject } = data;
  const warnings: TrustWarning[] = [];
  const credentials =
    subject.subject !== undefined
      ? [{ name: azureCredentialName(scopeName(data)), subject: subject.subject }]
      : credentialsFor(data.subjects, data.config);
  if (subject.subject === undefined) {
    warnings.push({
      code: 'azure_subject_not_exact',
      message:
        `the ${scopeWord(data)} has no single sub (${subject.subjectPrefix ? `each starts with ${subject.subjectPrefix}` : subject.prefixProblem}) and Azure matches sub exactly: ` +
        `the ${credentials.length} credential(s) listed cover today's principals only; a new principal needs a new credential`,
    });
  }
  const tooLong = credentials.filter((credential) => credential.subject.length > maxSubject);
  if (tooLong.length > 0) {
    warnings.push({
      code: 'azure_subject_too_long',
      message: `${tooLong.length} sub(s) are longer than ${maxSubject} characters, which a federated credential cannot hold`,
    });
  }
  if (credentials.length > maxCredentials) {
    warnings.push({
      code: 'azure_too_many_credentials',
      message: `the ${scopeWord(data)} needs ${credentials.length} federated credentials; one app registration or managed identity holds at most ${maxCredentials}`,
    });
  }
  const fits = subject.subject !== undefined && tooLong.length === 0;
  const listed = { credentialCount: credentials.length, credentials: credentials.slice(0, maxListed) };
  if (fits) return { exact: true, ...listed, warnings };
  const coarser = coarserConfig(data);
  if (coarser) {
    warnings.push({
      code: 'azure_coarser_config',
      message: `with the organization's configuration {"v3": {"extraSubFields": ${JSON.stringify(coarser.extraSubFields)}}} the ${scopeWord(data)} ${coarser.exact ? 'has one exact sub' : `needs ${coarser.count} credential(s)`} (envid oidc-config set …; it changes other principals' subs too)`,
    });
    return {
      exact: false,
      ...listed,
      warnings,
      coarserOidcConfig: { v3: { extraSubFields: coarser.extraSubFields } },
    };
  }
  if (credentials.length > maxCredentials || tooLong.length > 0) {
    warnings.push({
      code: 'azure_no_config_fits',
      message: `no configuration gives the ${scopeWord(data)} at most ${maxCredentials} subs of at most ${maxSubject} characters; trust one project or one principal per identity instead`,
    });
  }
  return { exact: false, ...listed, warnings };
}

function credentialsFor(subjects: readonly TokenSubject[], config: OidcConfig) {
  const bySub = new Map<string, string>();
  for (const subject of subjects) {
    const sub = subjectSub(subject, config);
    if (!bySub.has(sub)) bySub.set(sub, azureCredentialName(shortKind[subject.kind], subjectId(subject)));
  }
  return [...bySub].map(([subject, name]) => ({ name, subject }));
}

/**
 * The richest V3 configuration that fits: first the current fields less those the scope's principals
 * carry (the scope then has one exact sub), else the longest leading run of the current fields under which
 * the scope's existing principals have at most 20 subs of at most 600 characters.
 */
function coarserConfig(
  data: ScopeData,
): { extraSubFields: string[]; exact: boolean; count: number } | undefined {
  const current = data.config.version === 'v3' ? data.config.extraSubFields : [];
  const exactFields = current.filter(
    (field) =>
      scopeSubject(data.scope, data.organizationId, { version: 'v3', extraSubFields: [field] }, [])
        .subject !== undefined,
  );
  const candidates = [exactFields];
  for (let k = current.length - 1; k >= 0; k--) candidates.push(current.slice(0, k));
  for (const extraSubFields of candidates) {
    const config: OidcConfig = { version: 'v3', extraSubFields };
    const subject = scopeSubject(data.scope, data.organizationId, config, data.subjects);
    const subs = subject.subject !== undefined ? [subject.subject] : subject.subs;
    if (subs.length > maxCredentials || subs.some((sub) => sub.length > maxSubject)) continue;
    if (subject.subject === undefined && subject.subs.length === 0) continue;
    const same = data.config.version === 'v3' && sameFields(extraSubFields, current);
    if (same) continue;
    return { extraSubFields, exact: subject.subject !== undefined, count: subs.length };
  }
  return undefined;
}

const sameFields = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((field, i) => field === b[i]);

function scopeName(data: ScopeData): string {
  const { scope } = data;
  if (scope.kind === 'principal') return `${shortKind[scope.principal]}-${scope.id}`;
  if (scope.kind === 'project') return `project-${scope.projectId}`;
  return `org-${data.organizationId}`;
}

function scopeWord(data: ScopeData): string {
  const { scope } = data;
  if (scope.kind === 'principal') return scope.principal.replace('_', ' ');
  return scope.kind;
}

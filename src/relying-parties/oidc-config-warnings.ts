import type { OidcConfig } from '../core/domain/oidc-config.ts';
import { subjectSub } from '../core/tokens/compose-sub.ts';
import { subjectId, type TokenSubject, type TokenSubjectKind } from '../core/tokens/token-subject.ts';
import { azureLimits } from './azure/limits.ts';
import { googleLimits } from './gcp/limits.ts';

// Relying-party limits (docs/tokens.md#warnings-never-refusals) that a configuration is warned about,
// never refused for; each declared once, in src/relying-parties/<id>/limits.ts. This file sits above
// core (it reads core's sub composition), so core never imports a relying party.
const azureMaxSubjectLength = azureLimits.subject.max;
const azureMaxFederatedCredentials = azureLimits.trustEntries;
const googleMaxSubjectBytes = googleLimits.subject.max;

export type OidcConfigWarningCode =
  | 'azure_subject_too_long'
  | 'azure_too_many_credentials'
  | 'azure_subject_per_environment'
  | 'google_subject_too_long'
  | 'personal_data_in_subject';

export interface OidcConfigWarning {
  code: OidcConfigWarningCode;
  message: string;
  /** Some of the principals it concerns (at most 5), when it depends on their values. */
  principals?: { kind: TokenSubjectKind; id: string }[];
}

const personalFields = new Set(['email', 'creator_email', 'name', 'creator_name']);
const personalClaimKeys = new Set([
  'email',
  'name',
  'given_name',
  'family_name',
  'middle_name',
  'nickname',
  'preferred_username',
  'upn',
  'unique_name',
  'phone_number',
]);
// Matched only from the start of a run of address characters (the lookbehind): tried from every
// position inside a long run (an encoded URL), the pattern rescanned the run each time.
const looksLikeEmail = /(?<![^\s@:])[^\s@:]+@[^\s@:]+\.[^\s@:]+/;

/** Warnings for `config`, judged on the given example principals (e.g. every principal of the organization). */
export function computeOidcConfigWarnings(
  config: OidcConfig,
  subjects: readonly TokenSubject[],
): OidcConfigWarning[] {
  return warningsForSubs(
    config,
    subjects.map((subject) => ({ subject, sub: subjectSub(subject, config) })),
  );
}

/** The same, for subs already composed under `config` (see subjectSubs). */
export function warningsForSubs(
  config: OidcConfig,
  subs: readonly { subject: TokenSubject; sub: string }[],
): OidcConfigWarning[] {
  const warnings: OidcConfigWarning[] = [];
  const where = (list: typeof subs) =>
    list.slice(0, 5).map(({ subject }) => ({ kind: subject.kind, id: subjectId(subject) }));

  const tooLongForAzure = subs.filter(({ sub }) => sub.length > azureMaxSubjectLength);
  if (tooLongForAzure.length > 0) {
    warnings.push({
      code: 'azure_subject_too_long',
      message: `${tooLongForAzure.length} principal(s) get a sub longer than ${azureMaxSubjectLength} characters; Azure federated credentials cannot match it`,
      principals: where(tooLongForAzure),
    });
  }
  const distinctSubs = new Set<string>();
  for (const { sub } of subs) distinctSubs.add(sub);
  const distinct = distinctSubs.size;
  if (distinct > azureMaxFederatedCredentials) {
    warnings.push({
      code: 'azure_too_many_credentials',
      message: `these principals have ${distinct} distinct subs; Azure matches sub exactly and one identity holds at most ${azureMaxFederatedCredentials} federated credentials`,
    });
  }
  const perEnvironment = config.version === 'v2' || config.extraSubFields.includes('environment_id');
  if (perEnvironment) {
    warnings.push({
      code: 'azure_subject_per_environment',
      message:
        'environment tokens get a sub unique to each environment; Azure matches sub exactly, so a federated credential would only ever trust one environment',
    });
  }
  const tooLongForGoogle = subs.filter(({ sub }) => Buffer.byteLength(sub, 'utf8') > googleMaxSubjectBytes);
  if (tooLongForGoogle.length > 0) {
    warnings.push({
      code: 'google_subject_too_long',
      message: `${tooLongForGoogle.length} principal(s) get a sub longer than ${googleMaxSubjectBytes} bytes; map a shorter attribute than assertion.sub to google.subject`,
      principals: where(tooLongForGoogle),
    });
  }
  const personal = config.version === 'v3' ? config.extraSubFields.filter(isPersonalField) : [];
  const emailValues = subs.filter(({ sub }) => sub.includes('@') && looksLikeEmail.test(sub));
  if (personal.length > 0 || emailValues.length > 0) {
    const named = personal.length > 0 ? ` (${personal.join(', ')})` : '';
    warnings.push({
      code: 'personal_data_in_subject',
      message: `the sub carries personal data such as an e-mail address${named}; AWS writes sub into CloudTrail logs and other relying parties log it too`,
      ...(emailValues.length > 0 ? { principals: where(emailValues) } : {}),
    });
  }
  return warnings;
}

function isPersonalField(field: string): boolean {
  if (personalFields.has(field)) return true;
  const dot = field.indexOf('.');
  const prefix = field.slice(0, dot);
  return (
    (prefix === 'idp_claims' || prefix === 'creator_idp_claims') &&
    personalClaimKeys.has(field.slice(dot + 1))
  );
}

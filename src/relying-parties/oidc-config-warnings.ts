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
  // One pass over every sub (tens of thousands in an organization-wide preview): counts and the first
  // five examples of each limit.
  const tooLongForAzure = new Examples();
  const tooLongForGoogle = new Examples();
  const emailValues = new Examples();
  const distinctSubs = new Set<string>();
  for (const { subject, sub } of subs) {
    distinctSubs.add(sub);
    if (sub.length > azureMaxSubjectLength) tooLongForAzure.add(subject);
    if (Buffer.byteLength(sub, 'utf8') > googleMaxSubjectBytes) tooLongForGoogle.add(subject);
    if (sub.includes('@') && looksLikeEmail.test(sub)) emailValues.add(subject);
  }
  const warnings: OidcConfigWarning[] = [];
  if (tooLongForAzure.count > 0) {
    warnings.push({
      code: 'azure_subject_too_long',
      message: `${tooLongForAzure.count} principal(s) get a sub longer than ${azureMaxSubjectLength} characters; Azure federated credentials cannot match it`,
      principals: tooLongForAzure.principals,
    });
  }
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
  if (tooLongForGoogle.count > 0) {
    warnings.push({
      code: 'google_subject_too_long',
      message: `${tooLongForGoogle.count} principal(s) get a sub longer than ${googleMaxSubjectBytes} bytes; map a shorter attribute than assertion.sub to google.subject`,
      principals: tooLongForGoogle.principals,
    });
  }
  const personal = config.version === 'v3' ? config.extraSubFields.filter(isPersonalField) : [];
  if (personal.length > 0 || emailValues.count > 0) {
    const named = personal.length > 0 ? ` (${personal.join(', ')})` : '';
    warnings.push({
      code: 'personal_data_in_subject',
      message: `the sub carries personal data such as an e-mail address${named}; AWS writes sub into CloudTrail logs and other relying parties log it too`,
      ...(emailValues.count > 0 ? { principals: emailValues.principals } : {}),
    });
  }
  return warnings;
}

/** How many principals a warning concerns, and the first five of them. */
class Examples {
  count = 0;
  readonly principals: { kind: TokenSubjectKind; id: string }[] = [];
  add(subject: TokenSubject): void {
    if (this.count++ < 5) this.principals.push({ kind: subject.kind, id: subjectId(subject) });
  }
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

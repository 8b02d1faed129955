import type { TokenSubjectKind } from '../../core/tokens/token-subject.ts';
import type { GoogleTrustPlanMessage, ScopeData, TrustWarning } from '../trust-plan.ts';
import { googleLimits } from './limits.ts';

const maxSubjectBytes = googleLimits.subject.max;

/** `google.subject` straight from `sub`, when every sub of the scope fits in it. */
export const subFromAssertion = 'assertion.sub';

/**
 * Google copies the mapped `google.subject` into the principal's name and holds at most 127 bytes. A V3
 * sub with extra fields easily passes that; the fix is a mapping to the sub's default keys (at most 108
 * bytes: `organization_id:<uuid>:service_account_id:<uuid>`), built from the claims, while the attribute
 * condition keeps checking the whole `assertion.sub`.
 */
export function planGoogleTrust(data: ScopeData): GoogleTrustPlanMessage {
  const subs = data.subject.subject !== undefined ? [data.subject.subject] : data.subject.subs;
  const tooLong = subs.filter((sub) => Buffer.byteLength(sub, 'utf8') > maxSubjectBytes);
  const warnings: TrustWarning[] = [];
  if (tooLong.length === 0 && !(data.subject.subject === undefined && mayGrow(data))) {
    return { subjectMapping: subFromAssertion, warnings };
  }
  const mapping = defaultKeysMapping(data);
  warnings.push({
    code: 'google_subject_too_long',
    message:
      tooLong.length > 0
        ? `${tooLong.length} sub(s) of the scope are longer than ${maxSubjectBytes} bytes, which google.subject cannot hold; the provider maps google.subject=${mapping} instead (the sub's default keys), and its attribute condition still checks the whole sub`
        : `the organization's extra sub fields can make a sub of the scope longer than ${maxSubjectBytes} bytes, which google.subject cannot hold; the provider maps google.subject=${mapping} instead (the sub's default keys)`,
  });
  return { subjectMapping: mapping, warnings };
}

/** Extra fields whose values have no fixed length may push a future sub past the limit. */
function mayGrow(data: ScopeData): boolean {
  return data.config.version === 'v3' && data.config.extraSubFields.length > 0;
}

const org = `'organization_id:' + assertion.organization_id`;
const keyExpression: Record<Exclude<TokenSubjectKind, 'environment'>, string> = {
  user: `${org} + ':user_id:' + assertion.user_id`,
  service_account: `${org} + ':service_account_id:' + assertion.service_account_id`,
  runner: `${org} + ':runner_id:' + assertion.runner_id`,
};
const environmentExpression = `(has(assertion.project_id) ? ${org} + ':project_id:' + assertion.project_id : ${org})`;

/** A CEL expression giving the sub the scope's tokens would have with no extra fields. */
function defaultKeysMapping(data: ScopeData): string {
  const { scope } = data;
  if (data.config.version === 'v2') return 'assertion.sub';
  if (scope.kind === 'project') return `${org} + ':project_id:' + assertion.project_id`;
  if (scope.kind === 'principal') {
    return scope.principal === 'environment' ? environmentExpression : keyExpression[scope.principal];
  }
  // Environment tokens carry runner_id too, so they are told apart first, by environment_id.
  return `has(assertion.environment_id) ? ${environmentExpression} : has(assertion.user_id) ? ${keyExpression.user} : has(assertion.service_account_id) ? ${keyExpression.service_account} : ${keyExpression.runner}`;
}

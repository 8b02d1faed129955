import { z } from 'zod';
import { invalidArgument } from '../../../core/errors.ts';
import { subjectSub } from '../../../core/tokens/compose-sub.ts';
import { oidcConfigToMessage } from '../../../core/tokens/oidc-config.ts';
import { subjectId } from '../../../core/tokens/token-subject.ts';
import { planAzureTrust } from '../../../relying-parties/azure/trust-plan.ts';
import { planGoogleTrust } from '../../../relying-parties/gcp/trust-plan.ts';
import type { ScopeData, TrustPlan } from '../../../relying-parties/trust-plan.ts';
import { findTrustSubjects, type TrustScopeRequest } from '../../../services/trust-plans.ts';
import { defineMethod } from '../../connect/define-method.ts';
import { uuid } from '../../connect/validation.ts';

/**
 * TrustService (envid): the `sub` a relying party must trust for a scope, and the plans of the relying
 * parties whose limits depend on the organization's data (Azure, Google). `envid idp trust` renders each
 * relying party's documents from it; the console can show the same.
 */

const scopes = ['self', 'organization', 'project', 'user', 'service_account', 'runner'] as const;
const withId = new Set<string>(['project', 'user', 'service_account', 'runner']);

/** Distinct subs listed one by one; `subjectCount` has them all. */
const maxListedSubjects = 100;

export const planTrust = defineMethod({
  service: 'TrustService',
  method: 'PlanTrust',
  input: z.object({
    organizationId: uuid().optional(),
    scope: z.enum(scopes, { error: `must be one of ${scopes.join(', ')}` }),
    id: uuid().optional(),
    /** The relying party's audience: the profile it matches shapes the plan. */
    audience: z
      .string()
      .min(1, { error: 'must not be empty' })
      .max(256, { error: 'must be at most 256 characters' })
      .optional(),
  }),
  handler: async (input, call) => {
    const scope = scopeRequest(input.scope, input.id);
    const found = await findTrustSubjects(call, {
      ...(input.organizationId ? { organizationId: input.organizationId } : {}),
      scope,
      ...(input.audience !== undefined ? { audience: input.audience } : {}),
    });
    const data: ScopeData = {
      organizationId: found.organization.id,
      scope: found.scope,
      config: found.config,
      subjects: found.subjects,
      subject: found.subject,
    };
    const bySub = new Map<string, { sub: string; principal: string; id: string }>();
    for (const subject of found.subjects) {
      const sub = subjectSub(subject, data.config);
      if (!bySub.has(sub)) bySub.set(sub, { sub, principal: subject.kind, id: subjectId(subject) });
    }
    const { subject } = found;
    const plan: TrustPlan = {
      organizationId: found.organization.id,
      issuer: call.tokens.issuer(),
      scope: found.scope,
      ...(subject.subject !== undefined ? { subject: subject.subject } : {}),
      ...(subject.subjectPrefix !== undefined ? { subjectPrefix: subject.subjectPrefix } : {}),
      subjectPatterns: subject.patterns,
      ...(subject.prefixProblem !== undefined ? { prefixProblem: subject.prefixProblem } : {}),
      subjectCount: bySub.size,
      subjects: [...bySub.values()].slice(0, maxListedSubjects),
      plans: { azure: planAzureTrust(data), gcp: planGoogleTrust(data) },
      ...(found.profile ? { audienceProfile: { id: found.profile.id, name: found.profile.name } } : {}),
      ...(found.profile?.awsSessionTags
        ? { awsSessionTagKeys: Object.keys(found.profile.awsSessionTags.principalTags) }
        : {}),
    };
    return { oidcConfig: oidcConfigToMessage(data.config), ...plan };
  },
});

function scopeRequest(scope: (typeof scopes)[number], id: string | undefined): TrustScopeRequest {
  if (withId.has(scope)) {
    if (id === undefined)
      throw invalidArgument('id', `is required for scope ${scope}: the ${scope.replace('_', ' ')}'s ID`);
    return { kind: scope as 'project', id };
  }
  if (id !== undefined) throw invalidArgument('id', `scope ${scope} takes no id`);
  return { kind: scope as 'self' | 'organization' };
}

export const trustPlanMethods = [planTrust];

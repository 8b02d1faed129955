import type { OidcConfig } from '../core/domain/oidc-config.ts';
import type { TokenSubject } from '../core/tokens/token-subject.ts';
import type { ScopeSubject, TrustScope } from '../core/tokens/trust-scope.ts';

/**
 * A scope's `sub` and its principals, as the server has them, for the pure planning of relying parties
 * whose limits depend on the data (Azure's 20 credentials, Google's 127 bytes).
 */
export interface ScopeData {
  organizationId: string;
  scope: TrustScope;
  config: OidcConfig;
  subjects: readonly TokenSubject[];
  subject: ScopeSubject;
}

/** A warning of a trust plan: a stable code and a sentence that says what to change. */
export interface TrustWarning {
  code: string;
  message: string;
}

/** What TrustService/PlanTrust answers (docs/api.md#plantrust), and what each relying party's trust.ts renders. */
export interface TrustPlan {
  organizationId: string;
  issuer: string;
  /** `principal`, `project` or `organization`, with the principal kind or the ID. */
  scope:
    | { kind: 'principal'; principal: string; id: string }
    | { kind: 'project'; projectId: string }
    | { kind: 'organization' };
  subject?: string;
  subjectPrefix?: string;
  subjectPatterns: string[];
  prefixProblem?: string;
  /** How many distinct subs the scope's existing principals have. */
  subjectCount: number;
  /** The first 100 of them, each with one principal that has it. */
  subjects: { sub: string; principal: string; id: string }[];
  plans: {
    azure: AzureTrustPlanMessage;
    gcp: GoogleTrustPlanMessage;
  };
  /** The audience profile that shapes the asked audience's tokens (PlanTrust's `audience`), if any. */
  audienceProfile?: { id: string; name: string };
  /** The AWS session tag keys that profile's tokens carry: the role must then allow sts:TagSession. */
  awsSessionTagKeys?: string[];
}

/** Azure's plan: one federated credential per distinct sub (exact matching). */
export interface AzureTrustPlanMessage {
  /** One credential covers the scope, for principals created later too. */
  exact: boolean;
  credentialCount: number;
  /** The first 100 credentials. */
  credentials: { name: string; subject: string }[];
  warnings: TrustWarning[];
  /** A configuration under which the scope fits Azure's limits, when the current one does not. */
  coarserOidcConfig?: { v3: { extraSubFields: string[] } };
}

/** Google's plan: what google.subject is mapped from. */
export interface GoogleTrustPlanMessage {
  /** The attribute mapping's `google.subject` expression (CEL over `assertion`). */
  subjectMapping: string;
  warnings: TrustWarning[];
}

/**
 * What `envid idp trust <id>` prints (docs/trust.md#the-envelope): the relying party's own documents,
 * exactly as its tools take and show them, and the commands that create them.
 */
export interface TrustEnvelope {
  relyingParty: string;
  scope: string;
  issuer: string;
  audience: string;
  subject?: string;
  subjectPrefix?: string;
  documents: Record<string, unknown>;
  commands: string[];
  warnings: string[];
}

/** A scope as one readable word: `project 51b2…`, `user 1d7e…`, `organization 0b5c…`. */
export function describeScope(plan: Pick<TrustPlan, 'scope' | 'organizationId'>): string {
  const { scope } = plan;
  if (scope.kind === 'principal') return `${scope.principal.replace('_', ' ')} ${scope.id}`;
  if (scope.kind === 'project') return `project ${scope.projectId}`;
  return `organization ${plan.organizationId}`;
}

/** A short name for the scope in created resources' names: `project-51b26e54`, `service-account-3f904c32`. */
export function scopeSlug(plan: Pick<TrustPlan, 'scope' | 'organizationId'>): string {
  const { scope } = plan;
  if (scope.kind === 'principal') return `${scope.principal.replace('_', '-')}-${scope.id.slice(0, 8)}`;
  if (scope.kind === 'project') return `project-${scope.projectId.slice(0, 8)}`;
  return `organization-${plan.organizationId.slice(0, 8)}`;
}

/** The envelope around a relying party's documents; says so when nothing covers the scope. */
export function trustEnvelope(
  relyingParty: string,
  plan: TrustPlan,
  audience: string,
  parts: Pick<TrustEnvelope, 'documents' | 'commands' | 'warnings'>,
): TrustEnvelope {
  const uncovered =
    plan.subject === undefined && plan.subjectPatterns.length === 0
      ? [`no sub or sub pattern covers the scope: ${plan.prefixProblem ?? 'it has no principal yet'}`]
      : [];
  return {
    relyingParty,
    scope: describeScope(plan),
    issuer: plan.issuer,
    audience,
    ...(plan.subject !== undefined ? { subject: plan.subject } : {}),
    ...(plan.subjectPrefix !== undefined ? { subjectPrefix: plan.subjectPrefix } : {}),
    documents: parts.documents,
    commands: parts.commands,
    warnings: [...uncovered, ...parts.warnings],
  };
}

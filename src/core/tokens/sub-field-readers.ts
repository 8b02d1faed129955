import type { Labels } from '../domain/labels.ts';
import type { Initializer } from '../domain/project.ts';
import { labelClaimPrefixes } from './claims.ts';
import {
  buildPrincipalClaims,
  creatorServiceAccount,
  creatorUser,
  environmentInitializers,
  environmentProject,
} from './principal-claims.ts';
import { resolveSubField } from './sub-fields.ts';
import type { TokenSubject, TokenSubjectKind } from './token-subject.ts';

/**
 * A sub field read straight from a subject's records, giving exactly what
 * `resolveSubField(buildPrincipalClaims(subject), field)` gives without building the claims: an
 * organization-wide preview reads a few fields of 50,000 principals, and the claims objects were most of
 * its composing time. test/server/organization-subs-fast-path.test.ts holds the two to each other.
 */
export type SubFieldReader<S extends TokenSubject = TokenSubject> = (subject: S) => string | undefined;

type SubjectOf<K extends TokenSubjectKind> = Extract<TokenSubject, { kind: K }>;
type Environment = SubjectOf<'environment'>;

/** What buildPrincipalClaims keeps (no empty string) and resolveSubField answers (strings only). */
const nonEmpty = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** The first initializer that has the value (a non-string one still ends the search, as in resolveSubField). */
const firstInitializer =
  (value: (initializer: Initializer) => unknown): SubFieldReader<Environment> =>
  (subject) =>
    nonEmpty(value(environmentInitializers(subject).find((initializer) => value(initializer)) ?? {}));

const readers: { [K in TokenSubjectKind]: Record<string, SubFieldReader<SubjectOf<K>>> } = {
  user: {
    organization_id: (s) => nonEmpty(s.organizationId),
    user_id: (s) => nonEmpty(s.user.id),
    email: (s) => nonEmpty(s.user.email),
    name: (s) => nonEmpty(s.user.name),
    idp: (s) => nonEmpty(s.user.idp),
  },
  service_account: {
    organization_id: (s) => nonEmpty(s.serviceAccount.organizationId),
    service_account_id: (s) => nonEmpty(s.serviceAccount.id),
    name: (s) => nonEmpty(s.serviceAccount.name),
  },
  runner: {
    organization_id: (s) => nonEmpty(s.runner.organizationId),
    runner_id: (s) => nonEmpty(s.runner.id),
    runner_name: (s) => nonEmpty(s.runner.name),
  },
  environment: {
    organization_id: (s) => nonEmpty(s.organizationId),
    project_id: (s) => nonEmpty(s.environment.projectId),
    environment_id: (s) => nonEmpty(s.environment.id),
    runner_id: (s) => nonEmpty(s.environment.runnerId),
    creator_id: (s) => nonEmpty(s.environment.creatorId),
    creator_principal: (s) => nonEmpty(s.environment.creatorPrincipal),
    creator_email: (s) => nonEmpty(creatorUser(s)?.email),
    creator_name: (s) => nonEmpty(creatorUser(s)?.name ?? creatorServiceAccount(s)?.name),
    creator_idp: (s) => nonEmpty(s.environment.creatorIdp),
    'environment_initializers.git.remote_uri': firstInitializer((i) => i.git?.remoteUri),
    'environment_initializers.git.upstream_remote_uri': firstInitializer((i) => i.git?.upstreamRemoteUri),
    'environment_initializers.context_url': firstInitializer((i) => i.contextUrl),
  },
};

/** One label's value, as resolveSubField reads it from `project_labels` / `environment_labels`. */
const labelReader = (field: string): SubFieldReader<Environment> | undefined => {
  const labelsOf: ((s: Environment) => Labels | undefined) | undefined = field.startsWith('project_labels.')
    ? (s) => environmentProject(s)?.labels
    : field.startsWith('environment_labels.')
      ? (s) => s.environment.labels
      : undefined;
  if (!labelsOf) return undefined;
  const key = field.slice(field.indexOf('.') + 1);
  return (subject) => {
    const labels = labelsOf(subject);
    return nonEmpty(labels && Object.hasOwn(labels, key) ? labels[key] : undefined);
  };
};

/** Claims only an environment's token carries: its project, itself, its creator, initializers and labels. */
const environmentOnly = (field: string) =>
  field === 'project_id' ||
  field === 'environment_id' ||
  field.startsWith('creator_') ||
  field.startsWith('environment_initializers.') ||
  labelClaimPrefixes.some((prefix) => field.startsWith(prefix));

const absent: SubFieldReader = () => undefined;

/**
 * How to read `field` for principals of `kind`. Any field without a reader of its own (forwarded SSO
 * claims, whose copying rules the claims already hold, and a claim added later) goes through the
 * claims, so a missing reader costs time, never a different sub.
 */
export function subFieldReader(kind: TokenSubjectKind, field: string): SubFieldReader {
  const own = (readers[kind] as Record<string, SubFieldReader>)[field];
  if (own) return own;
  if (kind !== 'environment' && environmentOnly(field)) return absent;
  const label = kind === 'environment' ? labelReader(field) : undefined;
  if (label) return label as SubFieldReader;
  return (subject) => resolveSubField(buildPrincipalClaims(subject), field);
}

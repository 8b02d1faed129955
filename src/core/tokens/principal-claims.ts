import type { IdpClaims } from '../domain/idp-claims.ts';
import type { Labels } from '../domain/labels.ts';
import type { Initializer } from '../domain/project.ts';
import { sortedLabels } from '../labels.ts';
import {
  type SubjectServiceAccount,
  type SubjectUser,
  subjectOrganizationId,
  type TokenSubject,
} from './token-subject.ts';

/** One entry of `environment_initializers` (docs/tokens.md#v3-default-flat-claims-by-principal); members are present only when set. */
export interface InitializerClaim {
  git?: { remote_uri?: string; upstream_remote_uri?: string };
  context_url?: string;
}

export type { IdpClaims } from '../domain/idp-claims.ts';

/** The V3 claims besides the standard ones, in the order docs/tokens.md lists them. */
export interface PrincipalClaims {
  organization_id: string;
  project_id?: string;
  environment_id?: string;
  runner_id?: string;
  runner_name?: string;
  creator_id?: string;
  creator_principal?: 'user' | 'service_account';
  creator_email?: string;
  creator_name?: string;
  creator_idp?: string;
  creator_idp_claims?: IdpClaims;
  environment_initializers?: InitializerClaim[];
  project_labels?: Labels;
  environment_labels?: Labels;
  user_id?: string;
  service_account_id?: string;
  email?: string;
  name?: string;
  idp?: string;
  idp_claims?: IdpClaims;
}

/**
 * The V3 principal claims of docs/tokens.md#v3-default-flat-claims-by-principal. A value that is unknown or empty is left out, never sent empty
 * (an empty string, object or array says nothing a relying party could trust).
 */
export function buildPrincipalClaims(subject: TokenSubject): PrincipalClaims {
  const organizationId = subjectOrganizationId(subject);
  switch (subject.kind) {
    case 'user': {
      const { user } = subject;
      return compact({
        organization_id: organizationId,
        user_id: user.id,
        email: user.email,
        name: user.name,
        idp: user.idp,
        idp_claims: idpClaims(user.idpClaims),
      });
    }
    case 'service_account':
      return compact({
        organization_id: organizationId,
        service_account_id: subject.serviceAccount.id,
        name: subject.serviceAccount.name,
      });
    case 'runner':
      return compact({
        organization_id: organizationId,
        runner_id: subject.runner.id,
        runner_name: subject.runner.name,
      });
    case 'environment': {
      const { environment } = subject;
      const user = creatorUser(subject);
      const serviceAccount = creatorServiceAccount(subject);
      const initializers = environmentInitializers(subject);
      return compact({
        organization_id: organizationId,
        project_id: environment.projectId,
        environment_id: environment.id,
        runner_id: environment.runnerId,
        creator_id: environment.creatorId,
        creator_principal: environment.creatorPrincipal,
        creator_email: user?.email,
        creator_name: user?.name ?? serviceAccount?.name,
        // As recorded at creation (docs/tokens.md#forwarded-sso-claims), not the creator's current ones.
        creator_idp: environment.creatorIdp,
        creator_idp_claims: idpClaims(environment.creatorIdpClaims),
        environment_initializers: initializerClaims(initializers),
        // In a token only when the configuration asks (tokenPrincipalClaims); always here, for the sub.
        project_labels: labelClaims(environmentProject(subject)?.labels),
        environment_labels: labelClaims(environment.labels),
      });
    }
  }
}

type EnvironmentSubject = Extract<TokenSubject, { kind: 'environment' }>;

// Creator details are taken only from the record the environment names, never from a stray one.
export const creatorUser = ({ creator, environment }: EnvironmentSubject): SubjectUser | undefined =>
  creator.principal === 'user' &&
  environment.creatorPrincipal === 'user' &&
  creator.user.id === environment.creatorId
    ? creator.user
    : undefined;
export const creatorServiceAccount = ({
  creator,
  environment,
}: EnvironmentSubject): SubjectServiceAccount | undefined =>
  creator.principal === 'service_account' &&
  environment.creatorPrincipal === 'service_account' &&
  creator.serviceAccount.id === environment.creatorId
    ? creator.serviceAccount
    : undefined;

/** The environment's project, only when it is the one the environment names. */
export const environmentProject = ({ environment, project }: EnvironmentSubject) =>
  project && environment.projectId === project.id ? project : undefined;

/**
 * Labels as a claim: sorted by key, in a copy; none is left out. An empty value stays: the label is
 * there (a `sub` field leaves it out, as every empty value).
 */
export const labelClaims = (labels: Labels | undefined): Labels | undefined =>
  labels && Object.keys(labels).length > 0 ? sortedLabels(labels) : undefined;

/** The environment's initializers, or its project's when it has none. */
export const environmentInitializers = ({
  environment,
  project,
}: EnvironmentSubject): readonly Initializer[] =>
  environment.initializers.length > 0 ? environment.initializers : (project?.initializers ?? []);

function initializerClaims(initializers: readonly Initializer[]): InitializerClaim[] | undefined {
  const claims: InitializerClaim[] = [];
  for (const initializer of initializers) {
    const git = compact({
      remote_uri: initializer.git?.remoteUri,
      upstream_remote_uri: initializer.git?.upstreamRemoteUri,
    });
    const claim = compact({
      git: Object.keys(git).length > 0 ? git : undefined,
      context_url: initializer.contextUrl,
    });
    if (Object.keys(claim).length > 0) claims.push(claim);
  }
  return claims.length > 0 ? claims : undefined;
}

/** Forwarded SSO claims: strings and non-empty string arrays only, in a copy the caller cannot change. */
function idpClaims(claims: IdpClaims | undefined): IdpClaims | undefined {
  if (!claims) return undefined;
  const out: IdpClaims = {};
  for (const [key, value] of Object.entries(claims)) {
    if (typeof value === 'string' && value !== '') out[key] = value;
    else if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string'))
      out[key] = [...value];
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Drops members that are undefined or empty strings, keeping the order of the rest. */
function compact<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const key in value) {
    const member = value[key];
    if (member === undefined || member === '') continue;
    out[key] = member;
  }
  return out as T;
}

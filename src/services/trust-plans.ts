import type { OidcConfig } from '../core/domain/oidc-config.ts';
import { invalidArgument, notFound, permissionDenied } from '../core/errors.ts';
import { principalLabel } from '../core/principal-kinds.ts';
import { matchable, profileForAudience } from '../core/tokens/profiles/select-profile.ts';
import { maxProfilesPerOrganization } from '../core/tokens/profiles/validate-profile.ts';
import { subjectId, type TokenSubject, type TokenSubjectKind } from '../core/tokens/token-subject.ts';
import { type ScopeSubject, scopeSubject, type TrustScope } from '../core/tokens/trust-scope.ts';
import type { AudienceProfile, Organization } from '../store/records.ts';
import type { ServiceContext } from './context.ts';
import { organizationForCreate } from './organization-scope.ts';
import { loadOrganizationSubjects } from './organization-subjects.ts';
import { findAdministeredOrganization } from './organizations.ts';

/** A scope as a caller names it: itself, a project, the organization, or one user, service account or runner. */
export type TrustScopeRequest =
  | { kind: 'self' }
  | { kind: 'organization' }
  | { kind: 'project' | 'user' | 'service_account' | 'runner'; id: string };

export interface TrustSubjects {
  organization: Organization;
  scope: TrustScope;
  /** The scope's existing principals (for one principal, just it). */
  subjects: TokenSubject[];
  /** The `sub` (or prefix) of the scope under the configuration its tokens get. */
  subject: ScopeSubject;
  /** The configuration that shapes the scope's tokens: the audience's profile's, or the organization's. */
  config: OidcConfig;
  /** The audience profile that shapes tokens for the asked audience, when one does. */
  profile?: AudienceProfile;
}

/**
 * What `sub` a relying party must trust for a scope (docs/trust.md): the data a trust set-up is written
 * from. Any principal asks for its own scope; other scopes list the organization's principals and subs,
 * so they are its admins' (and the installation admin's) only, as PreviewOIDCConfig is.
 */
export async function findTrustSubjects(
  { store, principal }: ServiceContext,
  request: { organizationId?: string; scope: TrustScopeRequest; audience?: string },
): Promise<TrustSubjects> {
  const { scope } = request;
  // Tokens for the relying party's audience are shaped by the profile that audience matches, if any.
  const withSubject = async (
    organization: Organization,
    trustScope: TrustScope,
    subjects: TokenSubject[],
  ) => {
    const profile =
      request.audience === undefined ? undefined : await profileFor(store, organization.id, request.audience);
    const config = profile?.oidcConfig ?? organization.oidcConfig;
    return {
      organization,
      scope: trustScope,
      subjects,
      subject: scopeSubject(trustScope, organization.id, config, subjects),
      config,
      ...(profile ? { profile } : {}),
    };
  };
  if (scope.kind === 'self') {
    if (principal.kind === 'installation_admin') {
      throw invalidArgument(
        'scope',
        'the installation admin gets no ID tokens; name a project, a user, a service account, a runner or the organization',
      );
    }
    // A machine credential may not read its organization's record, but its own token is made of it.
    const organization = await store.organizations.find(principal.organizationId);
    if (!organization) throw notFound('organization', principal.organizationId);
    const subjects = (await loadOrganizationSubjects(store, organization.id)).filter(
      (subject) => subject.kind === principal.kind && subjectId(subject) === principal.id,
    );
    if (subjects.length === 0) throw notFound(principalLabel(principal.kind), principal.id);
    const trustScope: TrustScope = { kind: 'principal', principal: principal.kind, id: principal.id };
    return withSubject(organization, trustScope, subjects);
  }
  if (principal.kind !== 'installation_admin' && principal.kind !== 'user') {
    throw permissionDenied(
      `a ${principalLabel(principal.kind)} credential may plan only its own trust (scope self); ask an admin of the organization`,
    );
  }
  const organizationId = await organizationForCreate(store, principal, request.organizationId);
  const organization = await findAdministeredOrganization(store, principal, organizationId);
  const all = await loadOrganizationSubjects(store, organization.id);
  switch (scope.kind) {
    case 'organization':
      return withSubject(organization, { kind: 'organization' }, all);
    case 'project': {
      const project = await store.projects.findOne({ id: scope.id, organizationId: organization.id });
      if (!project) throw notFound('project', scope.id);
      const subjects = all.filter(
        (subject) => subject.kind === 'environment' && subject.environment.projectId === project.id,
      );
      return withSubject(organization, { kind: 'project', projectId: project.id }, subjects);
    }
    default: {
      const kind: TokenSubjectKind = scope.kind;
      const subjects = all.filter((subject) => subject.kind === kind && subjectId(subject) === scope.id);
      if (subjects.length === 0) throw notFound(principalLabel(kind), scope.id);
      return withSubject(organization, { kind: 'principal', principal: kind, id: scope.id }, subjects);
    }
  }
}

async function profileFor(
  store: ServiceContext['store'],
  organizationId: string,
  audience: string,
): Promise<AudienceProfile | undefined> {
  const page = await store.audienceProfiles.list(
    { organizationId },
    { pageSize: maxProfilesPerOrganization },
  );
  return profileForAudience(page.items.map(matchable), audience)?.profile;
}

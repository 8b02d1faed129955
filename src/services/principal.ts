import type { TokenPrincipalKind } from '../core/principal-kinds.ts';
import type { OrganizationRole } from '../store/records.ts';

/**
 * Who is calling, resolved from the request's credential: the installation admin, or a principal of
 * an organization (a user with its role there).
 */
export type Principal =
  | { kind: 'installation_admin'; credentialId: string }
  | { kind: 'user'; id: string; organizationId: string; role: OrganizationRole; credentialId: string }
  | {
      [K in Exclude<TokenPrincipalKind, 'user'>]: {
        kind: K;
        id: string;
        organizationId: string;
        credentialId: string;
      };
    }[Exclude<TokenPrincipalKind, 'user'>];

export type OrganizationPrincipal = Exclude<Principal, { kind: 'installation_admin' }>;

/**
 * A user acting with an account-level token: the user itself, in no organization
 * (docs/decisions/0020-organization-invites.md). Only methods defined with defineAccountMethod see it;
 * every other method refuses it before its handler runs, so it reads no organization's data and gets no
 * ID token.
 */
export type AccountPrincipal = { kind: 'account'; id: string; credentialId: string };

/** Whoever a credential authenticates. */
export type AuthenticatedPrincipal = Principal | AccountPrincipal;

/** The user acting for itself: with a token of one of its organizations, or an account-level one. */
export type SelfServiceUser = Extract<AuthenticatedPrincipal, { kind: 'user' | 'account' }>;

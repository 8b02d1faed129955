import type { Credential } from '../../store/records.ts';
import type { Filter, Page, PageRequest } from '../../store/store.ts';
import type { ServiceContext } from '../context.ts';
import type { AuthenticatedPrincipal, Principal } from '../principal.ts';
import { issueCredential, type NewCredential, revokeCredential } from './issue-credential.ts';

/** Whose credential it is: the principal it authenticates, and its organization (none: account-level). */
export type CredentialOwner = Pick<NewCredential, 'principalKind' | 'principalId' | 'organizationId'>;

/** What the caller chose for a new credential. */
export interface CredentialTerms {
  description?: string | undefined;
  expiresAt?: Date | undefined;
}

/**
 * What one kind of token decides (personal access, service account, runner, environment): whose tokens
 * the caller may create, which it may list, and which token a revoke call names. Each throws not_found
 * for what the caller may not see and permission_denied for what it sees but may not change.
 */
export interface CredentialAccess<Create, List, Revoke, P extends AuthenticatedPrincipal = Principal> {
  /** The description a token gets when the caller gives none. */
  defaultDescription: string;
  ownerForCreate(context: ServiceContext<P>, request: Create): Promise<CredentialOwner>;
  listFilter(context: ServiceContext, request: List): Promise<Filter<Credential>>;
  findRevocable(context: ServiceContext, request: Revoke): Promise<Credential>;
}

/** Create, list and revoke: the same for every kind of token. */
export interface CredentialLifecycle<Create, List, Revoke, P extends AuthenticatedPrincipal = Principal> {
  /** The new credential and its secret, answered exactly once, here. */
  create(
    context: ServiceContext<P>,
    request: Create,
    terms?: CredentialTerms,
  ): Promise<{ credential: Credential; secret: string }>;
  list(context: ServiceContext, request: List, page: PageRequest): Promise<Page<Credential>>;
  /** Kept as revoked rather than erased, so the record of what existed survives. */
  revoke(context: ServiceContext, request: Revoke): Promise<Credential>;
}

export function credentialLifecycle<Create, List, Revoke, P extends AuthenticatedPrincipal = Principal>(
  access: CredentialAccess<Create, List, Revoke, P>,
): CredentialLifecycle<Create, List, Revoke, P> {
  return {
    async create(context, request, terms = {}) {
      const owner = await access.ownerForCreate(context, request);
      return issueCredential(context.store, context.clock, {
        ...owner,
        description: terms.description ?? access.defaultDescription,
        ...(terms.expiresAt ? { expiresAt: terms.expiresAt } : {}),
      });
    },
    async list(context, request, page) {
      return context.store.credentials.list(await access.listFilter(context, request), page);
    },
    async revoke(context, request) {
      const credential = await access.findRevocable(context, request);
      return revokeCredential(context.store, context.clock, credential.id);
    },
  };
}

import { type ApiError, permissionDenied } from '../core/errors.ts';
import type { Principal } from './principal.ts';

/**
 * The authorization model:
 * - the installation admin manages organizations and users, and may act as an admin in any organization;
 * - a user acts in the organization its access token is bound to: admins manage it, members read it;
 * - a service account, runner or environment credential reads only its own principal.
 * Anything in another organization is reported exactly like a missing record (not_found), so a caller
 * learns nothing, not even whether the ID exists.
 */

/**
 * The store filter that finds record `id` only in the organization `principal` acts in (anywhere, for
 * the installation admin). A record of another organization then costs the same query, with the same
 * empty answer, as an ID that does not exist, so not even the time taken tells them apart. Use it for
 * every lookup by an ID the caller sent; further checks within the organization may follow in memory.
 */
export function inCallerOrganization(
  principal: Principal,
  id: string,
): { id: string; organizationId?: string } {
  return principal.kind === 'installation_admin' ? { id } : { id, organizationId: principal.organizationId };
}

/** May `principal` see records of `organizationId` at all? */
export function canReadOrganization(principal: Principal, organizationId: string): boolean {
  if (principal.kind === 'installation_admin') return true;
  return principal.kind === 'user' && principal.organizationId === organizationId;
}

/** May `principal` change records of `organizationId`? */
export function canAdministerOrganization(principal: Principal, organizationId: string): boolean {
  if (principal.kind === 'installation_admin') return true;
  return (
    principal.kind === 'user' && principal.organizationId === organizationId && principal.role === 'admin'
  );
}

/** Is `principal` itself the record `kind`/`id` (the one thing a machine credential may read)? */
export function isSelf(principal: Principal, kind: Principal['kind'], id: string): boolean {
  return principal.kind === kind && principal.kind !== 'installation_admin' && principal.id === id;
}

/**
 * Guards a read of a record of `organizationId`. `notFound` must be the same error a missing ID gets.
 * `self` says whether the record is the caller itself (machine principals may read only that).
 */
export function assertCanRead(
  principal: Principal,
  organizationId: string,
  notFound: ApiError,
  self = false,
): void {
  if (self || canReadOrganization(principal, organizationId)) return;
  throw notFound;
}

/** Guards a change to a record of `organizationId`: not_found when it cannot even see it, else permission_denied. */
export function assertCanAdminister(principal: Principal, organizationId: string, notFound: ApiError): void {
  if (canAdministerOrganization(principal, organizationId)) return;
  if (canReadOrganization(principal, organizationId)) {
    throw permissionDenied('only an admin of the organization may do this');
  }
  throw notFound;
}

export function assertInstallationAdmin(principal: Principal, what: string): void {
  if (principal.kind !== 'installation_admin')
    throw permissionDenied(`only the installation admin may ${what}`);
}

import { z } from 'zod';
import { auditEventKinds } from '../../../core/audit/audit-event-kinds.ts';
import { invalidArgument, notFound } from '../../../core/errors.ts';
import { apiPrincipalNames } from '../../../core/principal-kinds.ts';
import { oidcConfigToMessage } from '../../../core/tokens/oidc-config.ts';
import type { AuditEvent, OidcConfig } from '../../../store/records.ts';
import type { Filter, Page, PageRequest, Store } from '../../../store/store.ts';
import { assertCanAdminister } from '../../auth/authorize.ts';
import { defineMethod } from '../../connect/define-method.ts';
import { pageRequest, pageResponse } from '../../connect/pagination.ts';
import { formatTimestamp, parseTimestamp } from '../../connect/timestamps.ts';
import { pagination, uuid } from '../../connect/validation.ts';

/**
 * AuditService/ListAuditEvents: the audit log (issued tokens, configuration changes, key events), oldest
 * first. The installation admin reads every organization's events and the server's own (key events);
 * an organization's admins read their organization's. Details never hold a secret: token records keep
 * the jti and claims, never the token.
 */

const timestamp = (field: string) =>
  z
    .string()
    .optional()
    .transform((value) => (value === undefined ? undefined : parseTimestamp(field, value)));

const input = z.object({
  organizationId: uuid().optional(),
  filter: z
    .object({
      kinds: z
        .array(z.enum(auditEventKinds))
        .max(auditEventKinds.length * 2)
        .optional(),
      principalId: uuid().optional(),
      from: timestamp('filter.from'),
      to: timestamp('filter.to'),
    })
    .optional(),
  pagination,
});

function detailsToApi(event: AuditEvent): Record<string, unknown> {
  if (event.kind !== 'oidc_config.updated') return event.details;
  // Configurations are shown as the API takes them ({"v3": {...}} / {"v2": {}}), not as stored.
  const { before, after, ...rest } = event.details as { before: OidcConfig; after: OidcConfig };
  return { before: oidcConfigToMessage(before), after: oidcConfigToMessage(after), ...rest };
}

export function auditEventToApi(event: AuditEvent) {
  return {
    id: event.id,
    kind: event.kind,
    ...(event.organizationId ? { organizationId: event.organizationId } : {}),
    ...(event.principalKind
      ? { principal: { principal: apiPrincipalNames[event.principalKind], id: event.principalId } }
      : {}),
    ...(event.actorKind
      ? { actor: { principal: apiPrincipalNames[event.actorKind], id: event.actorId } }
      : {}),
    details: detailsToApi(event),
    createdAt: formatTimestamp(event.createdAt),
  };
}

/** Store round trips one page may take when several kinds are asked for (filtered here, not in SQL). */
const maxScans = 10;

/**
 * A page of events of any of `kinds`. The store filters one kind; for several, store pages are read and
 * filtered here, each asking for no more than still fits, so the store's nextToken stays exact. A page
 * may then hold fewer events than asked for: callers go on while there is a nextToken.
 */
async function listOfKinds(
  store: Store,
  filter: Filter<AuditEvent>,
  kinds: ReadonlySet<string>,
  page: PageRequest,
  created: { from?: Date; before?: Date },
): Promise<Page<AuditEvent>> {
  const size = Math.min(Math.max(page.pageSize ?? 25, 1), 100);
  const items: AuditEvent[] = [];
  let token = page.token;
  for (let scans = 0; scans < maxScans && items.length < size; scans++) {
    const next = await store.auditEvents.list(
      filter,
      { pageSize: size - items.length, ...(token ? { token } : {}) },
      created,
    );
    items.push(...next.items.filter((event) => kinds.has(event.kind)));
    token = next.nextToken;
    if (!token) break;
  }
  return token ? { items, nextToken: token } : { items };
}

export const listAuditEvents = defineMethod({
  service: 'AuditService',
  method: 'ListAuditEvents',
  input,
  handler: async (request, { store, principal, request: http }) => {
    const organizationId = request.organizationId;
    if (principal.kind !== 'installation_admin') {
      // Organization admins name their organization; everyone else learns nothing about it.
      if (organizationId === undefined) {
        throw invalidArgument('organizationId', 'is required (the audit log is read per organization)');
      }
      assertCanAdminister(principal, organizationId, notFound('organization', organizationId));
    }
    const { kinds, principalId, from, to } = request.filter ?? {};
    if (from && to && from.getTime() > to.getTime()) {
      throw invalidArgument('filter.to', 'must not be before filter.from');
    }
    const created = { ...(from ? { from } : {}), ...(to ? { before: to } : {}) };
    const kindSet = new Set(kinds ?? []);
    const filter: Filter<AuditEvent> = {
      ...(organizationId ? { organizationId } : {}),
      ...(principalId ? { principalId } : {}),
      ...(kindSet.size === 1 ? { kind: [...kindSet][0] } : {}),
    };
    const page = pageRequest(request.pagination, http);
    const events =
      kindSet.size > 1 && kindSet.size < auditEventKinds.length
        ? await listOfKinds(store, filter, kindSet, page, created)
        : await store.auditEvents.list(filter, page, created);
    return pageResponse('events', events, auditEventToApi);
  },
});

export const auditMethods = [listAuditEvents];

import { auditEventKinds } from '../core/audit/audit-event-kinds.ts';
import { invalidArgument, notFound } from '../core/errors.ts';
import type { AuditEvent } from '../store/records.ts';
import type { Filter, Page, PageRequest, Store } from '../store/store.ts';
import { assertCanAdminister } from './authorize.ts';
import type { ServiceContext } from './context.ts';

/**
 * The audit log (issued tokens, configuration changes, key events), oldest first. The installation
 * admin reads every organization's events and the server's own (key events); an organization's admins
 * read their organization's.
 */

export interface AuditQuery {
  /** Required for everyone but the installation admin. */
  organizationId?: string | undefined;
  kinds?: readonly AuditEvent['kind'][] | undefined;
  principalId?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
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

export async function listAuditEvents(
  { store, principal }: ServiceContext,
  query: AuditQuery,
  page: PageRequest,
): Promise<Page<AuditEvent>> {
  const { organizationId, kinds, principalId, from, to } = query;
  if (principal.kind !== 'installation_admin') {
    // Organization admins name their organization; everyone else learns nothing about it.
    if (organizationId === undefined) {
      throw invalidArgument('organizationId', 'is required (the audit log is read per organization)');
    }
    assertCanAdminister(principal, organizationId, notFound('organization', organizationId));
  }
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
  return kindSet.size > 1 && kindSet.size < auditEventKinds.length
    ? listOfKinds(store, filter, kindSet, page, created)
    : store.auditEvents.list(filter, page, created);
}

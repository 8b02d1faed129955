import { z } from 'zod';
import { auditEventKinds } from '../../../core/audit/audit-event-kinds.ts';
import { apiPrincipalNames } from '../../../core/principal-kinds.ts';
import { oidcConfigToMessage } from '../../../core/tokens/oidc-config.ts';
import * as audit from '../../../services/audit-events.ts';
import type { AuditEvent, OidcConfig } from '../../../store/records.ts';
import { defineMethod } from '../../connect/define-method.ts';
import { pageRequest, pageResponse } from '../../connect/pagination.ts';
import { formatTimestamp, parseTimestamp } from '../../connect/timestamps.ts';
import { pagination, uuid } from '../../connect/validation.ts';

/**
 * AuditService/ListAuditEvents; who reads what is src/services/audit-events.ts. Details never hold a
 * secret: token records keep the jti and claims, never the token.
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

export const listAuditEvents = defineMethod({
  service: 'AuditService',
  method: 'ListAuditEvents',
  input,
  handler: async (request, call) => {
    const query = { organizationId: request.organizationId, ...request.filter };
    const events = await audit.listAuditEvents(call, query, pageRequest(request.pagination, call.request));
    return pageResponse('events', events, auditEventToApi);
  },
});

export const auditMethods = [listAuditEvents];

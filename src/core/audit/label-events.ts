import type { AuditEvent } from '../domain/audit-event.ts';
import type { Labels } from '../domain/labels.ts';
import type { AuditActor } from './audit-events.ts';

/** The record of a project's or environment's labels changing: both sets whole, `{}` for none. */
export function labelsUpdatedEvent(base: {
  id: string;
  now: Date;
  actor: AuditActor;
  resource: 'project' | 'environment';
  resourceId: string;
  organizationId: string;
  before: Labels | undefined;
  after: Labels | undefined;
}): AuditEvent {
  return {
    id: base.id,
    kind: 'labels.updated',
    organizationId: base.organizationId,
    actorKind: base.actor.kind,
    ...(base.actor.id ? { actorId: base.actor.id } : {}),
    details: {
      resource: base.resource,
      resourceId: base.resourceId,
      before: base.before ?? {},
      after: base.after ?? {},
    },
    createdAt: base.now,
  };
}

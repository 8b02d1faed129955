import type { AudienceProfile } from '../domain/audience-profile.ts';
import type { AuditEvent } from '../domain/audit-event.ts';
import { type AuditActor, actorFields } from './audit-events.ts';

const audited = ({ createdAt: _c, updatedAt: _u, ...kept }: AudienceProfile) => kept;

/** The record of a created, updated or deleted audience profile. */
export function audienceProfileEvent(base: {
  id: string;
  now: Date;
  kind: 'audience_profile.created' | 'audience_profile.updated' | 'audience_profile.deleted';
  actor: AuditActor;
  before?: AudienceProfile;
  after?: AudienceProfile;
  subChanges: number;
  subChangeConfirmed: boolean;
}): AuditEvent {
  const profile = (base.after ?? base.before) as AudienceProfile;
  return {
    id: base.id,
    kind: base.kind,
    organizationId: profile.organizationId,
    ...actorFields(base.actor),
    details: {
      audienceProfileId: profile.id,
      ...(base.before ? { before: audited(base.before) } : {}),
      ...(base.after ? { after: audited(base.after) } : {}),
      subChanges: base.subChanges,
      subChangeConfirmed: base.subChangeConfirmed,
    },
    createdAt: base.now,
  };
}

import type { AuditEvent } from '../domain/audit-event.ts';
import type { OidcConfig } from '../domain/oidc-config.ts';
import type { RotationDecision } from '../keys/plan-rotation.ts';
import type { PrincipalKind } from '../principal-kinds.ts';
import type { StandardClaims } from '../tokens/standard-claims.ts';
import { subjectId, subjectOrganizationId, type TokenSubject } from '../tokens/token-subject.ts';

/** Who caused an event; absent when the server did it by itself (scheduled rotation). */
export interface AuditActor {
  kind: PrincipalKind;
  id?: string;
}

interface EventBase {
  id: string;
  now: Date;
}

export const actorFields = (actor: AuditActor | undefined) =>
  actor ? { actorKind: actor.kind, ...(actor.id ? { actorId: actor.id } : {}) } : {};

/** The record of one issued token (docs/api.md#auditservice): the token's principal is also the actor. */
export function tokenIssuedEvent(
  base: EventBase & {
    subject: TokenSubject;
    issued: {
      claims: Pick<StandardClaims, 'jti' | 'sub' | 'iat' | 'exp'>;
      audiences: string[];
      /** The audience profile that shaped the token, when one did. */
      profile?: { id: string; name: string; version: number };
    };
    clientAddress: string;
  },
): AuditEvent {
  const { claims } = base.issued;
  const principal = { kind: base.subject.kind, id: subjectId(base.subject) };
  return {
    id: base.id,
    kind: 'token.issued',
    organizationId: subjectOrganizationId(base.subject),
    principalKind: principal.kind,
    principalId: principal.id,
    ...actorFields(principal),
    details: {
      jti: claims.jti,
      audiences: base.issued.audiences,
      sub: claims.sub,
      iat: claims.iat,
      exp: claims.exp,
      clientAddress: base.clientAddress,
      ...(base.issued.profile
        ? {
            audienceProfile: {
              id: base.issued.profile.id,
              name: base.issued.profile.name,
              version: base.issued.profile.version,
            },
          }
        : {}),
    },
    createdAt: base.now,
  };
}

/** A configuration change with who made it and the old and new value (docs/tokens.md#changing-sub-needs-confirmation). */
export function oidcConfigUpdatedEvent(
  base: EventBase & {
    organizationId: string;
    actor: AuditActor;
    before: OidcConfig;
    after: OidcConfig;
    /** How many principals' `sub` the change alters (the caller confirmed when > 0). */
    subChanges: number;
    /** Whether the request carried `confirmSubChange: true`. */
    subChangeConfirmed?: boolean;
  },
): AuditEvent {
  return {
    id: base.id,
    kind: 'oidc_config.updated',
    organizationId: base.organizationId,
    ...actorFields(base.actor),
    details: {
      before: base.before,
      after: base.after,
      subChanges: base.subChanges,
      ...(base.subChangeConfirmed !== undefined ? { subChangeConfirmed: base.subChangeConfirmed } : {}),
    },
    createdAt: base.now,
  };
}

/**
 * The records of an applied rotation plan: `key.created` per new key (its kid from `insertedKids`, in
 * order), `key.rotated` per promotion (naming the key it replaced), `key.removed` / `key.revoked`.
 */
export function keyRotationEvents(
  decisions: readonly RotationDecision[],
  insertedKids: readonly string[],
  context: { now: Date; actor?: AuditActor; newId: () => string },
): AuditEvent[] {
  const kids = [...insertedKids];
  const retired = decisions.flatMap((d) => (d.action === 'retire' && d.reason === 'rotated' ? [d.kid] : []));
  const event = (kind: AuditEvent['kind'], details: Record<string, unknown>): AuditEvent => ({
    id: context.newId(),
    kind,
    ...actorFields(context.actor),
    details,
    createdAt: context.now,
  });
  const events: AuditEvent[] = [];
  for (const d of decisions) {
    if (d.action === 'create')
      events.push(event('key.created', { kid: kids.shift(), state: d.state, reason: d.reason }));
    if (d.action === 'promote') {
      events.push(
        event('key.rotated', {
          kid: d.kid,
          reason: d.reason,
          ...(retired[0] ? { retiredKid: retired[0] } : {}),
        }),
      );
    }
    if (d.action === 'retire' && d.reason === 'superseded')
      events.push(event('key.rotated', { retiredKid: d.kid, reason: d.reason }));
    if (d.action === 'remove') {
      events.push(
        d.reason === 'revoked'
          ? event('key.revoked', { kid: d.kid })
          : event('key.removed', { kid: d.kid, reason: d.reason }),
      );
    }
  }
  return events;
}

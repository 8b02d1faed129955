import { z } from 'zod';
import { oidcConfigUpdatedEvent } from '../../../core/audit/audit-events.ts';
import { failedPrecondition } from '../../../core/errors.ts';
import { newId } from '../../../core/ids.ts';
import { oidcConfigToMessage, parseOidcConfig } from '../../../core/tokens/oidc-config.ts';
import { findSubChanges, type SubChange } from '../../../core/tokens/sub-changes.ts';
import {
  computeOidcConfigWarnings,
  type OidcConfigWarning,
} from '../../../relying-parties/oidc-config-warnings.ts';
import type { OidcConfig } from '../../../store/records.ts';
import { defineMethod } from '../../connect/define-method.ts';
import { uuid } from '../../connect/validation.ts';
import { loadOrganizationSubjects } from '../../oidc/organization-subjects.ts';
import { previewPrincipalKinds } from '../../oidc/preview-principals.ts';
import { findAdministeredOrganization, findVisibleOrganization } from './organizations.ts';

/**
 * The organization's OIDC configuration (docs/tokens.md#organization-oidc-configuration): which token format and which extra `sub` fields its
 * tokens carry. Members read it; admins change it. A change that alters an existing principal's `sub`
 * breaks the trust rules written for it, so it needs `confirmSubChange: true`.
 */

const warningToApi = (warning: OidcConfigWarning) => ({
  code: warning.code,
  message: warning.message,
  ...(warning.principals ? { principals: warning.principals } : {}),
});

const subChangeToApi = (change: SubChange) => ({
  principal: change.kind,
  id: change.id,
  before: change.before,
  after: change.after,
});

/** The request's `oidcConfig`, validated; zod only checks it is there, parseOidcConfig says what is allowed. */
const oidcConfigInput = z.unknown();

export const getOidcConfig = defineMethod({
  service: 'OrganizationService',
  method: 'GetOIDCConfig',
  input: z.object({ organizationId: uuid() }),
  handler: async (input, { store, principal }) => {
    const organization = await findVisibleOrganization(store, principal, input.organizationId);
    return { oidcConfig: oidcConfigToMessage(organization.oidcConfig) };
  },
});

function describeSubChanges(changes: SubChange[]): string {
  const first = changes[0]!;
  return (
    `this change alters the sub of ${changes.length} existing principal(s), which breaks trust rules ` +
    `written for them; e.g. ${first.kind} ${first.id}: "${first.before}" -> "${first.after}". ` +
    'Send "confirmSubChange": true to apply it anyway (PreviewOIDCConfig lists every change)'
  );
}

export const updateOidcConfig = defineMethod({
  service: 'OrganizationService',
  method: 'UpdateOIDCConfig',
  input: z.object({
    organizationId: uuid(),
    oidcConfig: oidcConfigInput,
    confirmSubChange: z.boolean().optional(),
  }),
  handler: async (input, { store, principal, clock }) => {
    // Validate before any lookup so that a bad request writes nothing and says what is allowed.
    const next = parseOidcConfig(input.oidcConfig);
    await findAdministeredOrganization(store, principal, input.organizationId);
    const confirmed = input.confirmSubChange === true;
    const { subjects } = await store.transaction(async (tx) => {
      let before: OidcConfig | undefined;
      let subjects: Awaited<ReturnType<typeof loadOrganizationSubjects>> = [];
      let subChanges = 0;
      // update() holds the organization's row lock, so two concurrent changes are judged one after the other.
      await tx.organizations.update(input.organizationId, async (current) => {
        before = current.oidcConfig;
        subjects = await loadOrganizationSubjects(tx, current.id);
        const altered = findSubChanges(current.oidcConfig, next, subjects);
        if (altered.length > 0 && !confirmed) throw failedPrecondition(describeSubChanges(altered));
        subChanges = altered.length;
        return { ...current, oidcConfig: next };
      });
      await tx.auditEvents.insert(
        oidcConfigUpdatedEvent({
          id: newId(),
          now: clock.now(),
          organizationId: input.organizationId,
          actor:
            principal.kind === 'installation_admin'
              ? { kind: principal.kind, id: principal.credentialId }
              : { kind: principal.kind, id: principal.id },
          before: before!,
          after: next,
          subChanges,
          subChangeConfirmed: confirmed,
        }),
      );
      return { subjects };
    });
    // Token subjects cache the configuration; the store tells every server of the committed write, so the
    // next token (here or on another server) carries the new sub (tested in oidc-config.test.ts).
    return {
      oidcConfig: oidcConfigToMessage(next),
      warnings: computeOidcConfigWarnings(next, subjects).map(warningToApi),
    };
  },
});

/** At most this many sub changes are listed one by one; `subChangeCount` always has the total. */
const maxListedSubChanges = 100;

export const previewOidcConfig = defineMethod({
  service: 'OrganizationService',
  method: 'PreviewOIDCConfig',
  input: z.object({ organizationId: uuid(), oidcConfig: oidcConfigInput }),
  handler: async (input, { store, principal }) => {
    const proposed = parseOidcConfig(input.oidcConfig);
    const organization = await findAdministeredOrganization(store, principal, input.organizationId);
    const subjects = await loadOrganizationSubjects(store, organization.id);
    const altered = findSubChanges(organization.oidcConfig, proposed, subjects);
    return {
      oidcConfig: oidcConfigToMessage(proposed),
      currentOidcConfig: oidcConfigToMessage(organization.oidcConfig),
      principals: previewPrincipalKinds(organization.id, subjects, proposed),
      warnings: computeOidcConfigWarnings(proposed, subjects).map(warningToApi),
      subChangeCount: altered.length,
      subChanges: altered.slice(0, maxListedSubChanges).map(subChangeToApi),
      confirmSubChangeRequired: altered.length > 0,
    };
  },
});

export const oidcConfigMethods = [getOidcConfig, updateOidcConfig, previewOidcConfig];

import { z } from 'zod';
import { oidcConfigUpdatedEvent } from '../../../core/audit/audit-events.ts';
import { failedPrecondition } from '../../../core/errors.ts';
import { newId } from '../../../core/ids.ts';
import { subjectSubs } from '../../../core/tokens/compose-sub.ts';
import { oidcConfigToMessage, parseOidcConfig } from '../../../core/tokens/oidc-config.ts';
import { type SubChange, summarizeSubChanges } from '../../../core/tokens/sub-changes.ts';
import { type OidcConfigWarning, warningsForSubs } from '../../../relying-parties/oidc-config-warnings.ts';
import { loadOrganizationSubjects } from '../../../services/organization-subjects.ts';
import { findAdministeredOrganization, findVisibleOrganization } from '../../../services/organizations.ts';
import type { OidcConfig } from '../../../store/records.ts';
import type { Store } from '../../../store/store.ts';
import { defineMethod } from '../../connect/define-method.ts';
import { uuid } from '../../connect/validation.ts';
import { previewPrincipalKinds } from '../../oidc/preview-principals.ts';

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

function describeSubChanges(count: number, first: SubChange): string {
  return (
    `this change alters the sub of ${count} existing principal(s), which breaks trust rules ` +
    `written for them; e.g. ${first.kind} ${first.id}: "${first.before}" -> "${first.after}". ` +
    'Send "confirmSubChange": true to apply it anyway (PreviewOIDCConfig lists every change)'
  );
}

/** At most this many sub changes are listed one by one; `subChangeCount` always has the total. */
const maxListedSubChanges = 100;

/**
 * What changing the organization's configuration from `current` to `proposed` does: every principal's
 * sub composed under both in one pass, the changes (counted, the first few listed) and the warnings.
 */
async function judgeChange(store: Store, organizationId: string, current: OidcConfig, proposed: OidcConfig) {
  const subjects = await loadOrganizationSubjects(store, organizationId);
  const subs = subjectSubs(subjects, current, proposed);
  return {
    subjects,
    changes: summarizeSubChanges(subs, maxListedSubChanges),
    warnings: warningsForSubs(proposed, subs).map(warningToApi),
  };
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
    const warnings = await store.transaction(async (tx) => {
      let before: OidcConfig | undefined;
      let judged: Awaited<ReturnType<typeof judgeChange>> | undefined;
      // update() holds the organization's row lock, so two concurrent changes are judged one after the other.
      await tx.organizations.update(input.organizationId, async (current) => {
        before = current.oidcConfig;
        judged = await judgeChange(tx, current.id, current.oidcConfig, next);
        const { count, listed } = judged.changes;
        if (count > 0 && !confirmed) throw failedPrecondition(describeSubChanges(count, listed[0]!));
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
          subChanges: judged!.changes.count,
          subChangeConfirmed: confirmed,
        }),
      );
      return judged!.warnings;
    });
    // Token subjects cache the configuration; the store tells every server of the committed write, so the
    // next token (here or on another server) carries the new sub (tested in oidc-config.test.ts).
    return { oidcConfig: oidcConfigToMessage(next), warnings };
  },
});

export const previewOidcConfig = defineMethod({
  service: 'OrganizationService',
  method: 'PreviewOIDCConfig',
  input: z.object({ organizationId: uuid(), oidcConfig: oidcConfigInput }),
  handler: async (input, { store, principal }) => {
    const proposed = parseOidcConfig(input.oidcConfig);
    const organization = await findAdministeredOrganization(store, principal, input.organizationId);
    const { subjects, changes, warnings } = await judgeChange(
      store,
      organization.id,
      organization.oidcConfig,
      proposed,
    );
    return {
      oidcConfig: oidcConfigToMessage(proposed),
      currentOidcConfig: oidcConfigToMessage(organization.oidcConfig),
      principals: previewPrincipalKinds(organization.id, subjects, proposed),
      warnings,
      subChangeCount: changes.count,
      subChanges: changes.listed.map(subChangeToApi),
      confirmSubChangeRequired: changes.count > 0,
    };
  },
});

export const oidcConfigMethods = [getOidcConfig, updateOidcConfig, previewOidcConfig];

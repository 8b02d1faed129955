import { oidcConfigUpdatedEvent } from '../core/audit/audit-events.ts';
import { failedPrecondition } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { type SubjectSubs, subjectSubs } from '../core/tokens/compose-sub.ts';
import { type SubChange, summarizeSubChanges } from '../core/tokens/sub-changes.ts';
import type { TokenSubject } from '../core/tokens/token-subject.ts';
import type { OidcConfig, Organization } from '../store/records.ts';
import type { Store } from '../store/store.ts';
import type { ServiceContext } from './context.ts';
import { loadOrganizationSubjects } from './organization-subjects.ts';
import { findAdministeredOrganization, findVisibleOrganization } from './organizations.ts';

/**
 * The organization's OIDC configuration (docs/tokens.md#organization-oidc-configuration): which token
 * format and which extra `sub` fields its tokens carry. Its users read it; admins preview and change it.
 * A change that alters an existing principal's `sub` breaks the trust rules written for it, so it needs
 * `confirmSubChange`. Configurations arrive validated (parseOidcConfig, before any lookup). What relying
 * parties would warn about is the caller's to ask (warningsForSubs on `subs`): services know none of them.
 */

/** At most this many sub changes are listed one by one; `count` always has the total. */
const maxListedSubChanges = 100;

/** What changing the configuration does to the organization's principals. */
export interface OidcConfigJudgement {
  /** Every principal that can get a token now. */
  subjects: TokenSubject[];
  /** Each subject's sub under the current (`before`) and the proposed configuration. */
  subs: SubjectSubs[];
  changes: { count: number; listed: SubChange[] };
}

export async function getOidcConfig(
  { store, principal }: ServiceContext,
  organizationId: string,
): Promise<OidcConfig> {
  return (await findVisibleOrganization(store, principal, organizationId)).oidcConfig;
}

/** Every principal's sub composed under both configurations in one pass, and the changes. */
async function judgeChange(
  store: Store,
  organizationId: string,
  current: OidcConfig,
  proposed: OidcConfig,
): Promise<OidcConfigJudgement> {
  const subjects = await loadOrganizationSubjects(store, organizationId);
  const subs = subjectSubs(subjects, current, proposed);
  return { subjects, subs, changes: summarizeSubChanges(subs, maxListedSubChanges) };
}

/** What `proposed` would do, writing nothing; for the organization's admins. */
export async function previewOidcConfig(
  { store, principal }: ServiceContext,
  organizationId: string,
  proposed: OidcConfig,
): Promise<OidcConfigJudgement & { organization: Organization }> {
  const organization = await findAdministeredOrganization(store, principal, organizationId);
  const judged = await judgeChange(store, organization.id, organization.oidcConfig, proposed);
  return { organization, ...judged };
}

function describeSubChanges(count: number, first: SubChange): string {
  return (
    `this change alters the sub of ${count} existing principal(s), which breaks trust rules ` +
    `written for them; e.g. ${first.kind} ${first.id}: "${first.before}" -> "${first.after}". ` +
    'Send "confirmSubChange": true to apply it anyway (PreviewOIDCConfig lists every change)'
  );
}

/**
 * Stores `next` with its audit record, refusing a change of existing subs unless `confirmed`; answers
 * what it did to the principals. For the organization's admins.
 */
export async function updateOidcConfig(
  { store, principal, clock }: ServiceContext,
  organizationId: string,
  next: OidcConfig,
  confirmed: boolean,
): Promise<OidcConfigJudgement> {
  await findAdministeredOrganization(store, principal, organizationId);
  return store.transaction(async (tx) => {
    let before: OidcConfig | undefined;
    let judged: OidcConfigJudgement | undefined;
    // update() holds the organization's row lock, so two concurrent changes are judged one after the other.
    await tx.organizations.update(organizationId, async (current) => {
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
        organizationId,
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
    // Token subjects cache the configuration; the store tells every server of the committed write, so
    // the next token (here or on another server) carries the new sub.
    return judged!;
  });
}

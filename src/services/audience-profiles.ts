import { audienceProfileEvent } from '../core/audit/audience-profile-events.ts';
import type { AudienceProfileSettings } from '../core/domain/audience-profile.ts';
import { ApiError, failedPrecondition, invalidArgument, notFound } from '../core/errors.ts';
import { newId, newTimeOrderedId } from '../core/ids.ts';
import { subjectSubs } from '../core/tokens/compose-sub.ts';
import { profileChangeMoves } from '../core/tokens/profiles/profile-change.ts';
import {
  audienceProfileToInput,
  checkNoTies,
  maxProfilesPerOrganization,
  type ProfileLimits,
  parseAudienceProfileSettings,
} from '../core/tokens/profiles/validate-profile.ts';
import { type SubChange, summarizeSubChanges } from '../core/tokens/sub-changes.ts';
import { AlreadyExistsError } from '../store/errors.ts';
import type { AudienceProfile } from '../store/records.ts';
import type { Page, PageRequest, Store } from '../store/store.ts';
import { assertCanAdminister, inCallerOrganization } from './authorize.ts';
import type { ServiceContext } from './context.ts';
import { loadOrganizationSubjects } from './organization-subjects.ts';
import { findAdministeredOrganization } from './organizations.ts';
import { actorOf } from './sso-configurations.ts';

/**
 * Organizations' audience profiles (docs/decisions/0190-audience-profiles.md): only the organization's
 * admins read and change them; another organization's profile answers not_found like an unknown ID.
 * Settings arrive validated (parseAudienceProfileSettings); this module refuses ties with the
 * organization's other profiles and, as UpdateOIDCConfig does, a change that may alter existing subs
 * unless confirmed. Every change is audited.
 */

const missing = (id: string) => notFound('audience profile', id);

async function findAdministered({ store, principal }: ServiceContext, id: string): Promise<AudienceProfile> {
  const profile = await store.audienceProfiles.findOne(inCallerOrganization(principal, id));
  if (!profile) throw missing(id);
  assertCanAdminister(principal, profile.organizationId, missing(id));
  return profile;
}

export const getAudienceProfile = (context: ServiceContext, id: string) => findAdministered(context, id);

export async function listAudienceProfiles(
  { store, principal }: ServiceContext,
  organizationId: string,
  page: PageRequest,
): Promise<Page<AudienceProfile>> {
  await findAdministeredOrganization(store, principal, organizationId);
  return store.audienceProfiles.list({ organizationId }, page);
}

/** Every profile of the organization, for matching (at most maxProfilesPerOrganization). */
export async function organizationProfiles(store: Store, organizationId: string): Promise<AudienceProfile[]> {
  return (await store.audienceProfiles.list({ organizationId }, { pageSize: maxProfilesPerOrganization }))
    .items;
}

/** Principals whose sub a profile change may alter (profileChangeMoves), counted once each. */
async function judgeSubChanges(
  tx: Store,
  organizationId: string,
  others: AudienceProfile[],
  before: AudienceProfileSettings | undefined,
  after: AudienceProfileSettings | undefined,
): Promise<{ count: number; first?: SubChange }> {
  const organization = await tx.organizations.get(organizationId);
  const moves = profileChangeMoves(organization.oidcConfig, others, before, after);
  if (moves.length === 0) return { count: 0 };
  const subjects = await loadOrganizationSubjects(tx, organizationId);
  const changed = new Set<string>();
  let first: SubChange | undefined;
  for (const { from, to } of moves) {
    const { listed } = summarizeSubChanges(subjectSubs(subjects, from, to), Number.POSITIVE_INFINITY);
    for (const change of listed) {
      changed.add(`${change.kind}:${change.id}`);
      first ??= change;
    }
  }
  return { count: changed.size, ...(first ? { first } : {}) };
}

function refuseUnconfirmed(judged: { count: number; first?: SubChange }, confirmed: boolean): void {
  if (judged.count === 0 || confirmed) return;
  const { first } = judged;
  throw failedPrecondition(
    `this change may alter the sub of ${judged.count} existing principal(s) for the profile's audiences, ` +
      `which breaks trust rules written for them; e.g. ${first!.kind} ${first!.id}: "${first!.before}" -> "${first!.after}". ` +
      'Send "confirmSubChange": true to apply it anyway',
  );
}

/** A second profile with the same name in the organization: a clear already_exists, not a store error. */
async function nameTaken<T>(name: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof AlreadyExistsError)
      throw new ApiError(
        'already_exists',
        `name: the organization already has an audience profile named "${name}"`,
      );
    throw error;
  }
}

export async function createAudienceProfile(
  context: ServiceContext,
  organizationId: string,
  settings: AudienceProfileSettings,
  confirmSubChange: boolean,
): Promise<AudienceProfile> {
  const { store, clock, principal } = context;
  await findAdministeredOrganization(store, principal, organizationId);
  return nameTaken(settings.name, () =>
    store.transaction(
      async (tx) => {
        const others = await organizationProfiles(tx, organizationId);
        if (others.length >= maxProfilesPerOrganization)
          throw invalidArgument(
            'organizationId',
            `the organization has ${others.length} audience profiles; at most ${maxProfilesPerOrganization} are allowed`,
          );
        checkNoTies(settings, others);
        const judged = await judgeSubChanges(tx, organizationId, others, undefined, settings);
        refuseUnconfirmed(judged, confirmSubChange);
        const now = clock.now();
        const created = await tx.audienceProfiles.insert({
          id: newId(),
          organizationId,
          ...settings,
          version: 1,
          createdAt: now,
          updatedAt: now,
        });
        await tx.auditEvents.insert(
          audienceProfileEvent({
            id: newTimeOrderedId(now),
            now,
            kind: 'audience_profile.created',
            actor: actorOf(principal),
            after: created,
            subChanges: judged.count,
            subChangeConfirmed: confirmSubChange,
          }),
        );
        return created;
      },
      // One change of an organization's profiles at a time, so two saves cannot create a tie together.
      { lock: `audience-profiles:${organizationId}` },
    ),
  );
}

/**
 * Changes the settings `change` names (in the API's form; absent ones stay), validated as a whole
 * once merged with the current ones, before anything is written.
 */
export async function updateAudienceProfile(
  context: ServiceContext,
  id: string,
  change: Record<string, unknown>,
  confirmSubChange: boolean,
  limits: ProfileLimits,
): Promise<AudienceProfile> {
  const { store, clock, principal } = context;
  const current = await findAdministered(context, id);
  const given = Object.fromEntries(Object.entries(change).filter(([, value]) => value !== undefined));
  const settings = parseAudienceProfileSettings({ ...audienceProfileToInput(current), ...given }, limits);
  return nameTaken(settings.name, () =>
    store.transaction(
      async (tx) => {
        const others = (await organizationProfiles(tx, current.organizationId)).filter((p) => p.id !== id);
        checkNoTies(settings, others);
        const judged = await judgeSubChanges(tx, current.organizationId, others, current, settings);
        refuseUnconfirmed(judged, confirmSubChange);
        const now = clock.now();
        let before: AudienceProfile | undefined;
        const after = await tx.audienceProfiles.update(id, (row) => {
          before = row;
          // Settings replace the row's wholly: a field they leave out (session tags removed) is cleared.
          const { awsSessionTags: _removed, ...kept } = row;
          return { ...kept, ...settings, version: row.version + 1, updatedAt: now };
        });
        await tx.auditEvents.insert(
          audienceProfileEvent({
            id: newTimeOrderedId(now),
            now,
            kind: 'audience_profile.updated',
            actor: actorOf(principal),
            before: before!,
            after,
            subChanges: judged.count,
            subChangeConfirmed: confirmSubChange,
          }),
        );
        return after;
      },
      { lock: `audience-profiles:${current.organizationId}` },
    ),
  );
}

export async function deleteAudienceProfile(
  context: ServiceContext,
  id: string,
  confirmSubChange: boolean,
): Promise<void> {
  const { store, clock, principal } = context;
  const current = await findAdministered(context, id);
  await store.transaction(
    async (tx) => {
      const others = (await organizationProfiles(tx, current.organizationId)).filter((p) => p.id !== id);
      const judged = await judgeSubChanges(tx, current.organizationId, others, current, undefined);
      refuseUnconfirmed(judged, confirmSubChange);
      await tx.audienceProfiles.delete(id);
      const now = clock.now();
      await tx.auditEvents.insert(
        audienceProfileEvent({
          id: newTimeOrderedId(now),
          now,
          kind: 'audience_profile.deleted',
          actor: actorOf(principal),
          before: current,
          subChanges: judged.count,
          subChangeConfirmed: confirmSubChange,
        }),
      );
    },
    { lock: `audience-profiles:${current.organizationId}` },
  );
}

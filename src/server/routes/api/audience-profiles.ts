import { z } from 'zod';
import type { AudienceProfile, SigningAlgorithm } from '../../../core/domain/audience-profile.ts';
import {
  audienceProfileToInput,
  type ProfileLimits,
  parseAudienceProfileSettings,
} from '../../../core/tokens/profiles/validate-profile.ts';
import { algorithmRefusal } from '../../../relying-parties/signing-algorithms.ts';
import * as profiles from '../../../services/audience-profiles.ts';
import { defineMethod } from '../../connect/define-method.ts';
import { pageRequest, pageResponse } from '../../connect/pagination.ts';
import { pagination, uuid } from '../../connect/validation.ts';
import type { KeySet } from '../../tokens/key-set.ts';

/**
 * OrganizationService *AudienceProfile (docs/api.md#audience-profiles): envid's own methods, in the
 * style of the OIDC configuration's. Zod only checks the fields' presence; parseAudienceProfileSettings
 * says what is allowed, so every refusal names its field the same way wherever it comes from.
 */

const service = 'OrganizationService';

/** RS256 only until the ES256 keys land: the integrator adds 'ES256' here. */
const limits: ProfileLimits = { availableAlgorithms: ['RS256', 'ES256'], algorithmRefusal };

export const audienceProfileToApi = (profile: AudienceProfile) => ({
  id: profile.id,
  organizationId: profile.organizationId,
  ...audienceProfileToInput(profile),
  version: profile.version,
  createdAt: profile.createdAt.toISOString(),
  updatedAt: profile.updatedAt.toISOString(),
});

const settingsFields = {
  name: z.unknown().optional(),
  audiences: z.unknown().optional(),
  oidcConfig: z.unknown().optional(),
  lifetimeSeconds: z.unknown().optional(),
  signingAlgorithm: z.unknown().optional(),
  extraClaims: z.unknown().optional(),
  awsSessionTags: z.unknown().optional(),
};

const confirmSubChange = z.boolean().optional();

/**
 * A profile's algorithm gets its keys when the profile is saved, not at its first token: they are in the
 * JWKS from then on, so relying parties that cache the JWKS meet them before tokens signed with them.
 */
async function publishKeysFor(
  call: { tokens: { keys: KeySet } },
  algorithm: SigningAlgorithm,
): Promise<void> {
  if (algorithm !== 'RS256') await call.tokens.keys.signingKeyFor(algorithm);
}

export const createAudienceProfile = defineMethod({
  service,
  method: 'CreateAudienceProfile',
  input: z.object({ organizationId: uuid(), ...settingsFields, confirmSubChange }),
  handler: async ({ organizationId, confirmSubChange, ...fields }, call) => {
    // Validated before any lookup: a bad request writes nothing and says what is allowed.
    const settings = parseAudienceProfileSettings(definedOnly(fields), limits);
    const profile = await profiles.createAudienceProfile(
      call,
      organizationId,
      settings,
      confirmSubChange === true,
    );
    await publishKeysFor(call, profile.signingAlgorithm);
    return { audienceProfile: audienceProfileToApi(profile) };
  },
});

export const getAudienceProfile = defineMethod({
  service,
  method: 'GetAudienceProfile',
  input: z.object({ audienceProfileId: uuid() }),
  handler: async (input, call) => ({
    audienceProfile: audienceProfileToApi(await profiles.getAudienceProfile(call, input.audienceProfileId)),
  }),
});

export const listAudienceProfiles = defineMethod({
  service,
  method: 'ListAudienceProfiles',
  input: z.object({ organizationId: uuid(), pagination }),
  handler: async (input, call) => {
    const page = await profiles.listAudienceProfiles(
      call,
      input.organizationId,
      pageRequest(input.pagination, call.request),
    );
    return pageResponse('audienceProfiles', page, audienceProfileToApi);
  },
});

/** Absent and null fields stay as they are. */
export const updateAudienceProfile = defineMethod({
  service,
  method: 'UpdateAudienceProfile',
  input: z.object({ audienceProfileId: uuid(), ...settingsFields, confirmSubChange }),
  handler: async ({ audienceProfileId, confirmSubChange, ...fields }, call) => {
    const profile = await profiles.updateAudienceProfile(
      call,
      audienceProfileId,
      definedOnly(fields),
      confirmSubChange === true,
      limits,
    );
    await publishKeysFor(call, profile.signingAlgorithm);
    return { audienceProfile: audienceProfileToApi(profile) };
  },
});

export const deleteAudienceProfile = defineMethod({
  service,
  method: 'DeleteAudienceProfile',
  input: z.object({ audienceProfileId: uuid(), confirmSubChange }),
  handler: async (input, call) => {
    await profiles.deleteAudienceProfile(call, input.audienceProfileId, input.confirmSubChange === true);
    return {};
  },
});

/** The fields the caller gave: null counts as absent (the SDKs send null for "unchanged"). */
function definedOnly(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    // null clears the session tags on update (`envid org profiles update --no-aws-tags`); elsewhere it means absent.
    Object.entries(fields).filter(
      ([name, value]) => value !== undefined && (value !== null || name === 'awsSessionTags'),
    ),
  );
}

export const audienceProfileMethods = [
  createAudienceProfile,
  getAudienceProfile,
  listAudienceProfiles,
  updateAudienceProfile,
  deleteAudienceProfile,
];

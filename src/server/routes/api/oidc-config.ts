import { z } from 'zod';
import { normalizeAudiences } from '../../../core/tokens/audiences.ts';
import { oidcConfigToMessage, parseOidcConfig } from '../../../core/tokens/oidc-config.ts';
import { matchable, profileForAudiences } from '../../../core/tokens/profiles/select-profile.ts';
import type { SubChange } from '../../../core/tokens/sub-changes.ts';
import { type OidcConfigWarning, warningsForSubs } from '../../../relying-parties/oidc-config-warnings.ts';
import { organizationProfiles } from '../../../services/audience-profiles.ts';
import * as oidcConfig from '../../../services/oidc-config.ts';
import { defineMethod } from '../../connect/define-method.ts';
import { uuid } from '../../connect/validation.ts';
import { previewPrincipalKinds } from '../../oidc/preview-principals.ts';

/**
 * The organization's OIDC configuration (docs/tokens.md#organization-oidc-configuration); who may do what
 * is src/services/oidc-config.ts; the warnings about relying parties' limits are asked here.
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
  handler: async (input, call) => ({
    oidcConfig: oidcConfigToMessage(await oidcConfig.getOidcConfig(call, input.organizationId)),
  }),
});

export const updateOidcConfig = defineMethod({
  service: 'OrganizationService',
  method: 'UpdateOIDCConfig',
  input: z.object({
    organizationId: uuid(),
    oidcConfig: oidcConfigInput,
    confirmSubChange: z.boolean().optional(),
  }),
  handler: async (input, call) => {
    // Validate before any lookup so that a bad request writes nothing and says what is allowed.
    const next = parseOidcConfig(input.oidcConfig);
    const { subs } = await oidcConfig.updateOidcConfig(
      call,
      input.organizationId,
      next,
      input.confirmSubChange === true,
    );
    return { oidcConfig: oidcConfigToMessage(next), warnings: warningsForSubs(next, subs).map(warningToApi) };
  },
});

export const previewOidcConfig = defineMethod({
  service: 'OrganizationService',
  method: 'PreviewOIDCConfig',
  input: z.object({ organizationId: uuid(), oidcConfig: oidcConfigInput, audience: z.unknown().optional() }),
  handler: async (input, call) => {
    const proposed = parseOidcConfig(input.oidcConfig);
    const audiences = input.audience === undefined ? undefined : normalizeAudiences(input.audience);
    const { organization, subjects, subs, changes } = await oidcConfig.previewOidcConfig(
      call,
      input.organizationId,
      proposed,
    );
    // With audiences: the tokens for them, which an audience profile shapes instead of the configuration.
    const profile = audiences
      ? profileForAudiences(
          (await organizationProfiles(call.store, organization.id)).map(matchable),
          audiences,
        )?.profile
      : undefined;
    return {
      oidcConfig: oidcConfigToMessage(proposed),
      currentOidcConfig: oidcConfigToMessage(organization.oidcConfig),
      ...(profile
        ? {
            audienceProfile: {
              id: profile.id,
              name: profile.name,
              version: profile.version,
              oidcConfig: oidcConfigToMessage(profile.oidcConfig),
              lifetimeSeconds: profile.lifetimeSeconds,
              signingAlgorithm: profile.signingAlgorithm,
            },
          }
        : {}),
      principals: profile
        ? previewPrincipalKinds(organization.id, subjects, profile.oidcConfig, profile.extraClaims)
        : previewPrincipalKinds(organization.id, subjects, proposed),
      warnings: warningsForSubs(proposed, subs).map(warningToApi),
      subChangeCount: changes.count,
      subChanges: changes.listed.map(subChangeToApi),
      confirmSubChangeRequired: changes.count > 0,
    };
  },
});

export const oidcConfigMethods = [getOidcConfig, updateOidcConfig, previewOidcConfig];

import { z } from 'zod';
import * as sso from '../../../services/sso-configurations.ts';
import type { SsoConfiguration } from '../../../store/records.ts';
import { defineMethod } from '../../connect/define-method.ts';
import { pageRequest, pageResponse } from '../../connect/pagination.ts';
import { pagination, uuid } from '../../connect/validation.ts';
import { mergeDomains, ssoFields, stateFromApi } from './sso-configuration-input.ts';

/**
 * OrganizationService *SSOConfiguration, in @gitpod/sdk's shape plus envid's emailDomains,
 * additionalScopes, forwardedClaims and claimsExpression (who may: src/services/sso-configurations.ts).
 * The client secret is write-only: no answer ever carries it.
 */

const service = 'OrganizationService';

export function ssoConfigurationToApi(config: SsoConfiguration) {
  return {
    id: config.id,
    organizationId: config.organizationId,
    issuerUrl: config.issuerUrl,
    clientId: config.clientId,
    emailDomain: config.emailDomains[0],
    emailDomains: config.emailDomains,
    state: config.state === 'active' ? 'SSO_CONFIGURATION_STATE_ACTIVE' : 'SSO_CONFIGURATION_STATE_INACTIVE',
    providerType: 'PROVIDER_TYPE_CUSTOM',
    claims: config.claims,
    additionalScopes: config.additionalScopes,
    forwardedClaims: config.forwardedClaims,
    claimsExpression: config.claimsExpression,
  };
}

const secretsOf = (call: { sso: sso.SsoSecrets }) => call.sso;

export const createSsoConfiguration = defineMethod({
  service,
  method: 'CreateSSOConfiguration',
  input: z.object({
    organizationId: uuid(),
    issuerUrl: ssoFields.issuerUrl,
    clientId: ssoFields.clientId,
    clientSecret: ssoFields.clientSecret,
    emailDomain: ssoFields.emailDomain,
    emailDomains: ssoFields.emailDomains.optional(),
    state: ssoFields.state.optional(),
    claims: ssoFields.claims.optional(),
    additionalScopes: ssoFields.additionalScopes.optional(),
    forwardedClaims: ssoFields.forwardedClaims.optional(),
    claimsExpression: ssoFields.claimsExpression.optional(),
  }),
  handler: async (input, call) => {
    const config = await sso.createSsoConfiguration(call, secretsOf(call), input.organizationId, {
      issuerUrl: input.issuerUrl,
      clientId: input.clientId,
      clientSecret: input.clientSecret,
      emailDomains: mergeDomains(input.emailDomain, input.emailDomains) ?? [],
      state: input.state ? stateFromApi(input.state) : 'active',
      claims: input.claims ?? {},
      additionalScopes: input.additionalScopes ?? [],
      forwardedClaims: input.forwardedClaims ?? [],
      claimsExpression: input.claimsExpression?.trim() ?? '',
    });
    return { ssoConfiguration: ssoConfigurationToApi(config) };
  },
});

export const getSsoConfiguration = defineMethod({
  service,
  method: 'GetSSOConfiguration',
  input: z.object({ ssoConfigurationId: uuid() }),
  handler: async (input, call) => ({
    ssoConfiguration: ssoConfigurationToApi(await sso.getSsoConfiguration(call, input.ssoConfigurationId)),
  }),
});

export const listSsoConfigurations = defineMethod({
  service,
  method: 'ListSSOConfigurations',
  input: z.object({ organizationId: uuid(), pagination }),
  handler: async (input, call) => {
    const page = await sso.listSsoConfigurations(
      call,
      input.organizationId,
      pageRequest(input.pagination, call.request),
    );
    return pageResponse('ssoConfigurations', page, ssoConfigurationToApi);
  },
});

/** Absent and null fields stay as they are (the SDK sends null for "unchanged"). */
export const updateSsoConfiguration = defineMethod({
  service,
  method: 'UpdateSSOConfiguration',
  input: z.object({
    ssoConfigurationId: uuid(),
    issuerUrl: ssoFields.issuerUrl.nullish(),
    clientId: ssoFields.clientId.nullish(),
    clientSecret: ssoFields.clientSecret.nullish(),
    emailDomain: ssoFields.emailDomain.nullish(),
    emailDomains: ssoFields.emailDomains.nullish(),
    state: ssoFields.state.nullish(),
    claims: ssoFields.claims.nullish(),
    additionalScopes: ssoFields.additionalScopes.nullish(),
    forwardedClaims: ssoFields.forwardedClaims.nullish(),
    claimsExpression: ssoFields.claimsExpression.nullish(),
  }),
  handler: async (input, call) => {
    const given = <T>(value: T | null | undefined): T | undefined => value ?? undefined;
    const config = await sso.updateSsoConfiguration(call, secretsOf(call), input.ssoConfigurationId, {
      issuerUrl: given(input.issuerUrl),
      clientId: given(input.clientId),
      clientSecret: given(input.clientSecret),
      emailDomains: mergeDomains(given(input.emailDomain), given(input.emailDomains)),
      state: input.state ? stateFromApi(input.state) : undefined,
      claims: given(input.claims),
      additionalScopes: given(input.additionalScopes),
      forwardedClaims: given(input.forwardedClaims),
      claimsExpression: given(input.claimsExpression)?.trim(),
    });
    return { ssoConfiguration: ssoConfigurationToApi(config) };
  },
});

export const deleteSsoConfiguration = defineMethod({
  service,
  method: 'DeleteSSOConfiguration',
  input: z.object({ ssoConfigurationId: uuid() }),
  handler: async (input, call) => {
    await sso.deleteSsoConfiguration(call, input.ssoConfigurationId);
    return {};
  },
});

export const ssoConfigurationMethods = [
  createSsoConfiguration,
  getSsoConfiguration,
  listSsoConfigurations,
  updateSsoConfiguration,
  deleteSsoConfiguration,
];

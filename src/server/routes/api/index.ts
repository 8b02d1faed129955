import type { MethodDefinition } from '../../connect/define-method.ts';
import { audienceProfileMethods } from './audience-profiles.ts';
import { auditMethods } from './audit-events.ts';
import { environmentMethods } from './environments.ts';
import { identityMethods } from './identity.ts';
import { oidcConfigMethods } from './oidc-config.ts';
import { inviteMethods } from './organization-invites.ts';
import { joinMethods } from './organization-join.ts';
import { memberMethods } from './organization-members.ts';
import { organizationMethods } from './organizations.ts';
import { personalAccessTokenMethods } from './personal-access-tokens.ts';
import { projectMethods } from './projects.ts';
import { runnerMethods } from './runners.ts';
import { serviceAccountTokenMethods } from './service-account-tokens.ts';
import { serviceAccountMethods } from './service-accounts.ts';
import { signingKeyMethods } from './signing-keys.ts';
import { ssoConfigurationMethods } from './sso-configurations.ts';
import { trustPlanMethods } from './trust-plans.ts';
import { userMethods } from './users.ts';

/** Every Connect method the API serves. */
export const apiMethods: MethodDefinition[] = [
  ...identityMethods,
  ...projectMethods,
  ...runnerMethods,
  ...environmentMethods,
  ...signingKeyMethods,
  ...trustPlanMethods,
  ...organizationMethods,
  ...oidcConfigMethods,
  ...audienceProfileMethods,
  ...ssoConfigurationMethods,
  ...auditMethods,
  ...memberMethods,
  ...inviteMethods,
  ...joinMethods,
  ...userMethods,
  ...personalAccessTokenMethods,
  ...serviceAccountMethods,
  ...serviceAccountTokenMethods,
];

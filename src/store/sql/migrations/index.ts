import * as resources from './0001-resources.ts';
import * as keysAudit from './0002-keys-audit.ts';
import * as invites from './0003-invites.ts';
import * as environmentLookups from './0004-environment-lookups.ts';
import * as ssoConfigurations from './0005-sso-configurations.ts';
import * as environmentCreatorIdp from './0006-environment-creator-idp.ts';
import * as ssoCliSignIns from './0007-sso-cli-sign-ins.ts';
import * as audienceProfiles from './0008-audience-profiles.ts';
import * as es256SigningKeys from './0009-es256-signing-keys.ts';
import * as installationSettings from './0010-installation-settings.ts';
import * as auditPartitions from './0011-audit-partitions.ts';
import * as labels from './0012-labels.ts';
import * as profileSessionTags from './0013-profile-session-tags.ts';
import * as auditEventsKind from './0014-audit-events-kind.ts';

export interface Migration {
  /** Ordered, never renamed once released. */
  id: string;
  up: string;
}

/** Every migration, in the order it is applied. Append only. */
export const migrations: Migration[] = [
  { id: '0001-resources', up: resources.up },
  { id: '0002-keys-audit', up: keysAudit.up },
  { id: '0003-invites', up: invites.up },
  { id: '0004-environment-lookups', up: environmentLookups.up },
  { id: '0005-sso-configurations', up: ssoConfigurations.up },
  { id: '0006-environment-creator-idp', up: environmentCreatorIdp.up },
  { id: '0007-sso-cli-sign-ins', up: ssoCliSignIns.up },
  { id: '0008-audience-profiles', up: audienceProfiles.up },
  { id: '0009-es256-signing-keys', up: es256SigningKeys.up },
  { id: '0010-installation-settings', up: installationSettings.up },
  { id: '0011-audit-partitions', up: auditPartitions.up },
  { id: '0012-labels', up: labels.up },
  { id: '0013-profile-session-tags', up: profileSessionTags.up },
  { id: '0014-audit-events-kind', up: auditEventsKind.up },
];

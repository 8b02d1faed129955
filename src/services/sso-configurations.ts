import type { AuditActor } from '../core/audit/audit-events.ts';
import { ssoConfigurationEvent } from '../core/audit/sso-events.ts';
import { invalidArgument, notFound } from '../core/errors.ts';
import { newId, newTimeOrderedId } from '../core/ids.ts';
import { encryptSecret } from '../core/keys/encrypt-secret.ts';
import type { MasterKey } from '../core/keys/master-key.ts';
import { celSyntaxProblem } from '../shared/evaluate-cel.ts';
import type { SsoConfiguration } from '../store/records.ts';
import type { Page, PageRequest } from '../store/store.ts';
import { assertCanAdminister, assertCanRead, inCallerOrganization } from './authorize.ts';
import type { ServiceContext } from './context.ts';
import { findAdministeredOrganization, findVisibleOrganization } from './organizations.ts';
import type { Principal } from './principal.ts';
import { checkSsoIssuer, defaultDiscoveryTimeoutMs } from './sso-issuer-check.ts';

/**
 * Organizations' SSO configurations (docs/decisions/0180-sso-sign-in.md): the organization's admins
 * create, change and delete them, its members read them; the client secret is sealed under the master
 * key and never answered; another organization's configuration answers not_found like an unknown ID.
 * Every change is audited (without the secret).
 */

/** What saving needs besides the caller: the key that seals client secrets, the discovery timeout. */
export interface SsoSecrets {
  masterKey: MasterKey;
  discoveryTimeoutMs?: number;
}

/** The fields a create call sets (already parsed: lower-case domains, no duplicates), the secret in the clear. */
export type SsoConfigurationFields = Omit<
  SsoConfiguration,
  'id' | 'organizationId' | 'encryptedClientSecret' | 'createdAt' | 'updatedAt'
> & { clientSecret: string };

/** An update: absent fields stay as they are. */
export type SsoConfigurationChange = Partial<SsoConfigurationFields>;

const missing = (id: string) => notFound('SSO configuration', id);

export const actorOf = (principal: Principal): AuditActor =>
  principal.kind === 'installation_admin'
    ? { kind: principal.kind, id: principal.credentialId }
    : { kind: principal.kind, id: principal.id };

function checkClaimsExpression(expression: string): void {
  if (expression === '') return;
  const problem = celSyntaxProblem(expression);
  if (problem) throw invalidArgument('claimsExpression', `not a CEL expression: ${problem}`);
}

export async function createSsoConfiguration(
  { store, clock, principal }: ServiceContext,
  secrets: SsoSecrets,
  organizationId: string,
  fields: SsoConfigurationFields,
): Promise<SsoConfiguration> {
  await findAdministeredOrganization(store, principal, organizationId);
  checkClaimsExpression(fields.claimsExpression);
  await checkSsoIssuer(fields.issuerUrl, secrets.discoveryTimeoutMs ?? defaultDiscoveryTimeoutMs);
  const id = newId();
  const now = clock.now();
  const { clientSecret, ...kept } = fields;
  const config: SsoConfiguration = {
    id,
    organizationId,
    ...kept,
    encryptedClientSecret: encryptSecret(clientSecret, id, secrets.masterKey),
    createdAt: now,
    updatedAt: now,
  };
  return store.transaction(async (tx) => {
    const created = await tx.ssoConfigurations.insert(config);
    await tx.auditEvents.insert(
      ssoConfigurationEvent({
        id: newTimeOrderedId(now),
        now,
        kind: 'sso_config.created',
        actor: actorOf(principal),
        after: created,
      }),
    );
    return created;
  });
}

/** The configuration `id` when the caller may read it; not_found otherwise, as for an unknown ID. */
async function findReadable({ store, principal }: ServiceContext, id: string): Promise<SsoConfiguration> {
  const config = await store.ssoConfigurations.findOne(inCallerOrganization(principal, id));
  if (!config) throw missing(id);
  assertCanRead(principal, config.organizationId, missing(id));
  return config;
}

export const getSsoConfiguration = (context: ServiceContext, id: string) => findReadable(context, id);

/** The configuration `id` when the caller may change it: not_found as for reads, then permission_denied. */
async function findAdministered(context: ServiceContext, id: string): Promise<SsoConfiguration> {
  const config = await findReadable(context, id);
  assertCanAdminister(context.principal, config.organizationId, missing(id));
  return config;
}

export async function listSsoConfigurations(
  { store, principal }: ServiceContext,
  organizationId: string,
  page: PageRequest,
): Promise<Page<SsoConfiguration>> {
  await findVisibleOrganization(store, principal, organizationId);
  return store.ssoConfigurations.list({ organizationId }, page);
}

export async function updateSsoConfiguration(
  context: ServiceContext,
  secrets: SsoSecrets,
  id: string,
  change: SsoConfigurationChange,
): Promise<SsoConfiguration> {
  const { store, clock, principal } = context;
  const current = await findAdministered(context, id);
  if (change.claimsExpression !== undefined) checkClaimsExpression(change.claimsExpression);
  if (change.issuerUrl !== undefined && change.issuerUrl !== current.issuerUrl) {
    await checkSsoIssuer(change.issuerUrl, secrets.discoveryTimeoutMs ?? defaultDiscoveryTimeoutMs);
  }
  const { clientSecret, ...kept } = change;
  const defined = Object.fromEntries(Object.entries(kept).filter(([, value]) => value !== undefined));
  return store.transaction(async (tx) => {
    // One moment for the row and its audit event, as the other services' events take.
    const now = clock.now();
    let before: SsoConfiguration | undefined;
    const after = await tx.ssoConfigurations.update(id, (row) => {
      before = row;
      return {
        ...row,
        ...defined,
        ...(clientSecret !== undefined
          ? { encryptedClientSecret: encryptSecret(clientSecret, id, secrets.masterKey) }
          : {}),
        updatedAt: now,
      };
    });
    await tx.auditEvents.insert(
      ssoConfigurationEvent({
        id: newTimeOrderedId(now),
        now,
        kind: 'sso_config.updated',
        actor: actorOf(principal),
        before: before!,
        after,
        clientSecretChanged: clientSecret !== undefined,
      }),
    );
    return after;
  });
}

export async function deleteSsoConfiguration(context: ServiceContext, id: string): Promise<void> {
  const { store, clock, principal } = context;
  const current = await findAdministered(context, id);
  await store.transaction(async (tx) => {
    await tx.ssoConfigurations.delete(id);
    const now = clock.now();
    await tx.auditEvents.insert(
      ssoConfigurationEvent({
        id: newTimeOrderedId(now),
        now,
        kind: 'sso_config.deleted',
        actor: actorOf(principal),
        before: current,
      }),
    );
  });
}

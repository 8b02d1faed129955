import { failedPrecondition } from '../../core/errors.ts';
import { findOperatedEnvironment } from '../environment-access.ts';
import { findCredentialOf } from './issue-credential.ts';
import { credentialLifecycle } from './lifecycle.ts';

/**
 * An environment's access tokens: minted, listed and revoked by whoever operates the environment (its
 * creator, its organization's admins, the installation admin, its runner). Deleting the environment
 * revokes them all; revoking one (e.g. a leaked one) leaves the environment running.
 */
export const environmentTokens = credentialLifecycle<
  { environmentId: string },
  { environmentId: string },
  { environmentId: string; tokenId: string }
>({
  defaultDescription: 'environment access token',
  async ownerForCreate({ store, principal }, { environmentId }) {
    const environment = await findOperatedEnvironment(store, principal, environmentId);
    if (environment.status === 'deleted') {
      throw failedPrecondition(`environment ${environment.id} is deleted; it gets no new access tokens`);
    }
    // A token minted while the environment is stopped is refused until it is started.
    return {
      principalKind: 'environment',
      principalId: environment.id,
      organizationId: environment.organizationId,
    };
  },
  async listFilter({ store, principal }, { environmentId }) {
    const environment = await findOperatedEnvironment(store, principal, environmentId);
    return { principalId: environment.id, principalKind: 'environment' };
  },
  async findRevocable({ store, principal }, { environmentId, tokenId }) {
    const environment = await findOperatedEnvironment(store, principal, environmentId);
    const owner = { principalKind: 'environment', principalId: environment.id } as const;
    return findCredentialOf(store, owner, tokenId, 'environment access token');
  },
});

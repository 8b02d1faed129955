import { findManagedRunner } from '../runners.ts';
import { findCredentialOf } from './issue-credential.ts';
import { credentialLifecycle } from './lifecycle.ts';

/** A runner's tokens: its organization's admins (and the installation admin) create, list and revoke them. */
export const runnerTokens = credentialLifecycle<
  { runnerId: string },
  { runnerId: string },
  { runnerId: string; tokenId: string }
>({
  defaultDescription: 'runner token',
  async ownerForCreate({ store, principal }, { runnerId }) {
    const runner = await findManagedRunner(store, principal, runnerId);
    return { principalKind: 'runner', principalId: runner.id, organizationId: runner.organizationId };
  },
  async listFilter({ store, principal }, { runnerId }) {
    const runner = await findManagedRunner(store, principal, runnerId);
    return { principalId: runner.id, principalKind: 'runner' };
  },
  async findRevocable({ store, principal }, { runnerId, tokenId }) {
    const runner = await findManagedRunner(store, principal, runnerId);
    const owner = { principalKind: 'runner', principalId: runner.id } as const;
    return findCredentialOf(store, owner, tokenId, 'runner token');
  },
});

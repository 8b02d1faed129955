import { z } from 'zod';
import { failedPrecondition, notFound, permissionDenied } from '../../../core/errors.ts';
import { newId } from '../../../core/ids.ts';
import type { Runner } from '../../../store/records.ts';
import type { Store } from '../../../store/store.ts';
import {
  assertCanRead,
  canAdministerOrganization,
  inCallerOrganization,
  isSelf,
} from '../../auth/authorize.ts';
import { defineMethod } from '../../connect/define-method.ts';
import { pageRequest, pageResponse } from '../../connect/pagination.ts';
import { formatTimestamp } from '../../connect/timestamps.ts';
import { pagination, text, uuid } from '../../connect/validation.ts';
import {
  credentialToApi,
  issueCredential,
  revokeCredential,
  revokeCredentialOf,
} from '../../credentials/issue-credential.ts';
import type { Principal } from '../../principal.ts';
import { countLiveEnvironments, markEnvironmentsDeleted } from './environment-lifecycle.ts';
import { listAll } from './list-all.ts';
import { organizationForCreate, organizationForList } from './organization-scope.ts';

/**
 * RunnerService: the infrastructure that runs environments. Organization admins manage runners and
 * their tokens; members read them; a runner's own credential may read only itself.
 */

export function runnerToApi(runner: Runner) {
  return {
    runnerId: runner.id,
    name: runner.name,
    createdAt: formatTimestamp(runner.createdAt),
    /** envid extension: the Ona API leaves the organization implicit. */
    organizationId: runner.organizationId,
  };
}

/** The runner, when `principal` may see it; otherwise not_found, the same as for an unknown ID. */
export async function findVisibleRunner(store: Store, principal: Principal, id: string): Promise<Runner> {
  const missing = notFound('runner', id);
  const runner = await store.runners.findOne(inCallerOrganization(principal, id));
  if (!runner) throw missing;
  assertCanRead(principal, runner.organizationId, missing, isSelf(principal, 'runner', id));
  return runner;
}

/** The runner, when `principal` may manage it; not_found when it cannot even see it. */
async function findManagedRunner(store: Store, principal: Principal, id: string): Promise<Runner> {
  const runner = await findVisibleRunner(store, principal, id);
  // It is visible, so refusing with permission_denied leaks nothing.
  if (!canAdministerOrganization(principal, runner.organizationId)) {
    throw permissionDenied('only an admin of the organization may do this');
  }
  return runner;
}

export const createRunner = defineMethod({
  service: 'RunnerService',
  method: 'CreateRunner',
  input: z.object({
    name: text(80),
    /** envid extension: the installation admin names the organization. */
    organizationId: uuid().optional(),
  }),
  handler: async (input, { store, clock, principal }) => {
    const organizationId = await organizationForCreate(store, principal, input.organizationId);
    // The organization is the caller's own, so refusing with permission_denied leaks nothing.
    if (!canAdministerOrganization(principal, organizationId)) {
      throw permissionDenied('only an admin of the organization may create runners');
    }
    const runner = await store.runners.insert({
      id: newId(),
      organizationId,
      name: input.name,
      createdAt: clock.now(),
    });
    return { runner: runnerToApi(runner) };
  },
});

export const getRunner = defineMethod({
  service: 'RunnerService',
  method: 'GetRunner',
  input: z.object({ runnerId: uuid() }),
  handler: async (input, { store, principal }) => ({
    runner: runnerToApi(await findVisibleRunner(store, principal, input.runnerId)),
  }),
});

export const listRunners = defineMethod({
  service: 'RunnerService',
  method: 'ListRunners',
  input: z.object({
    pagination,
    /** envid extension: the installation admin may name one organization (all when absent). */
    organizationId: uuid().optional(),
  }),
  handler: async (input, { store, principal, request }) => {
    const organizationId = organizationForList(principal, input.organizationId, 'runners');
    const page = await store.runners.list(
      organizationId ? { organizationId } : {},
      pageRequest(input.pagination, request),
    );
    return pageResponse('runners', page, runnerToApi);
  },
});

export const deleteRunner = defineMethod({
  service: 'RunnerService',
  method: 'DeleteRunner',
  input: z.object({
    runnerId: uuid(),
    /** Also delete the runner's environments that are not deleted yet. */
    force: z.boolean().optional(),
  }),
  handler: async (input, { store, clock, principal }) => {
    const runner = await findManagedRunner(store, principal, input.runnerId);
    await store.transaction(async (tx) => {
      if (!input.force) {
        const live = await countLiveEnvironments(tx, { runnerId: runner.id });
        if (live > 0) {
          throw failedPrecondition(
            `runner ${runner.id} has ${live} environment(s) that are not deleted; ` +
              'delete them first, or pass "force": true to delete them with the runner',
          );
        }
      }
      await markEnvironmentsDeleted(tx, clock, { runnerId: runner.id });
      for (const credential of await listAll(tx.credentials, { principalId: runner.id })) {
        if (credential.principalKind === 'runner' && !credential.revokedAt) {
          await revokeCredential(tx, clock, credential.id);
        }
      }
      // The runner's environment records go with it (the store cascades).
      await tx.runners.delete(runner.id);
    });
    return {};
  },
});

export const createRunnerToken = defineMethod({
  service: 'RunnerService',
  method: 'CreateRunnerToken',
  input: z.object({ runnerId: uuid(), description: text(200).optional() }),
  handler: async (input, { store, clock, principal }) => {
    const runner = await findManagedRunner(store, principal, input.runnerId);
    const { credential, secret } = await issueCredential(store, clock, {
      principalKind: 'runner',
      principalId: runner.id,
      organizationId: runner.organizationId,
      description: input.description ?? 'runner token',
    });
    // The secret is answered here and never again; `tokenId` names it for RevokeRunnerToken.
    return { accessToken: secret, tokenId: credential.id };
  },
});

/** envid extension: a runner's tokens (never their secrets). */
export const listRunnerTokens = defineMethod({
  service: 'RunnerService',
  method: 'ListRunnerTokens',
  input: z.object({ runnerId: uuid(), pagination }),
  handler: async (input, { store, principal, request }) => {
    const runner = await findManagedRunner(store, principal, input.runnerId);
    const page = await store.credentials.list(
      { principalId: runner.id, principalKind: 'runner' },
      pageRequest(input.pagination, request),
    );
    return pageResponse('tokens', page, credentialToApi);
  },
});

/** envid extension: revokes one of a runner's tokens; it is refused from then on. */
export const revokeRunnerToken = defineMethod({
  service: 'RunnerService',
  method: 'RevokeRunnerToken',
  input: z.object({ runnerId: uuid(), tokenId: uuid() }),
  handler: async (input, { store, clock, principal }) => {
    const runner = await findManagedRunner(store, principal, input.runnerId);
    const owner = { principalKind: 'runner', principalId: runner.id } as const;
    const revoked = await revokeCredentialOf(store, clock, owner, input.tokenId, 'runner token');
    return { token: credentialToApi(revoked) };
  },
});

export const runnerMethods = [
  createRunner,
  getRunner,
  listRunners,
  deleteRunner,
  createRunnerToken,
  listRunnerTokens,
  revokeRunnerToken,
];

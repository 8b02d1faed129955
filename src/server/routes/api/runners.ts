import { z } from 'zod';
import { failedPrecondition, permissionDenied } from '../../../core/errors.ts';
import { newId } from '../../../core/ids.ts';
import { canAdministerOrganization } from '../../../services/authorize.ts';
import { revokePrincipalCredentials } from '../../../services/credentials/revoke-principal-credentials.ts';
import { runnerTokens } from '../../../services/credentials/runner-tokens.ts';
import { organizationForCreate, organizationForList } from '../../../services/organization-scope.ts';
import { findManagedRunner, findVisibleRunner } from '../../../services/runners.ts';
import type { Runner } from '../../../store/records.ts';
import { defineMethod } from '../../connect/define-method.ts';
import { pageRequest, pageResponse } from '../../connect/pagination.ts';
import { formatTimestamp } from '../../connect/timestamps.ts';
import { pagination, text, uuid } from '../../connect/validation.ts';
import { credentialToApi } from '../../credentials/credential-to-api.ts';
import { countLiveEnvironments, markEnvironmentsDeleted } from './environment-lifecycle.ts';

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
      await revokePrincipalCredentials(tx, clock, { principalKind: 'runner', principalId: runner.id });
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
  handler: async (input, call) => {
    const { credential, secret } = await runnerTokens.create(call, input, { description: input.description });
    // The secret is answered here and never again; `tokenId` names it for RevokeRunnerToken.
    return { accessToken: secret, tokenId: credential.id };
  },
});

/** envid extension: a runner's tokens (never their secrets). */
export const listRunnerTokens = defineMethod({
  service: 'RunnerService',
  method: 'ListRunnerTokens',
  input: z.object({ runnerId: uuid(), pagination }),
  handler: async (input, call) => {
    const page = await runnerTokens.list(call, input, pageRequest(input.pagination, call.request));
    return pageResponse('tokens', page, credentialToApi);
  },
});

/** envid extension: revokes one of a runner's tokens; it is refused from then on. */
export const revokeRunnerToken = defineMethod({
  service: 'RunnerService',
  method: 'RevokeRunnerToken',
  input: z.object({ runnerId: uuid(), tokenId: uuid() }),
  handler: async (input, call) => ({ token: credentialToApi(await runnerTokens.revoke(call, input)) }),
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

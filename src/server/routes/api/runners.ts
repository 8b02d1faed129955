import { z } from 'zod';
import { runnerTokens } from '../../../services/credentials/runner-tokens.ts';
import * as runners from '../../../services/runners.ts';
import type { Runner } from '../../../store/records.ts';
import { defineMethod } from '../../connect/define-method.ts';
import { pageRequest, pageResponse } from '../../connect/pagination.ts';
import { formatTimestamp } from '../../connect/timestamps.ts';
import { pagination, text, uuid } from '../../connect/validation.ts';
import { credentialToApi } from '../../credentials/credential-to-api.ts';

/**
 * RunnerService: the infrastructure that runs environments; who may do what is src/services/runners.ts
 * (runners) and src/services/credentials/runner-tokens.ts (their tokens).
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
  handler: async (input, call) => ({ runner: runnerToApi(await runners.createRunner(call, input)) }),
});

export const getRunner = defineMethod({
  service: 'RunnerService',
  method: 'GetRunner',
  input: z.object({ runnerId: uuid() }),
  handler: async (input, call) => ({ runner: runnerToApi(await runners.getRunner(call, input.runnerId)) }),
});

export const listRunners = defineMethod({
  service: 'RunnerService',
  method: 'ListRunners',
  input: z.object({
    pagination,
    /** envid extension: the installation admin may name one organization (all when absent). */
    organizationId: uuid().optional(),
  }),
  handler: async (input, call) => {
    const page = await runners.listRunners(
      call,
      input.organizationId,
      pageRequest(input.pagination, call.request),
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
  handler: async (input, call) => {
    await runners.deleteRunner(call, input.runnerId, { force: input.force });
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

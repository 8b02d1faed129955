import { z } from 'zod';
import { signingAlgorithms } from '../../../core/domain/public-jwk.ts';
import type { RotationDecision } from '../../../core/keys/plan-rotation.ts';
import * as signingKeys from '../../../services/signing-keys.ts';
import type { SigningKey } from '../../../store/records.ts';
import { defineMethod } from '../../connect/define-method.ts';
import { formatTimestamp } from '../../connect/timestamps.ts';

/**
 * SigningKeyService (envid): the installation admin's view of the token signing keys, on-demand
 * rotation and emergency revocation (who may: src/services/signing-keys.ts). Never a private key,
 * encrypted or not.
 */

const service = 'SigningKeyService';

export function signingKeyToApi(key: SigningKey) {
  return {
    keyId: key.id,
    state: key.state,
    algorithm: key.algorithm,
    publicJwk: key.publicJwk,
    publishedAt: formatTimestamp(key.publishedAt),
    ...(key.activatedAt ? { activatedAt: formatTimestamp(key.activatedAt) } : {}),
    ...(key.retiredAt ? { retiredAt: formatTimestamp(key.retiredAt) } : {}),
  };
}

const decisionToApi = (decision: RotationDecision) =>
  decision.action === 'create'
    ? { action: decision.action, state: decision.state, reason: decision.reason }
    : { action: decision.action, keyId: decision.kid, reason: decision.reason };

export const listSigningKeys = defineMethod({
  service,
  method: 'ListSigningKeys',
  input: z.object({}),
  handler: async (_input, call) => ({
    keys: (await signingKeys.listSigningKeys(call, call.tokens.keys)).map(signingKeyToApi),
  }),
});

export const rotateSigningKeys = defineMethod({
  service,
  method: 'RotateSigningKeys',
  input: z.object({
    algorithm: z
      .enum(signingAlgorithms, { error: `must be one of ${signingAlgorithms.join(', ')}` })
      .optional(),
  }),
  handler: async (input, call) => {
    const { rotated, decisions, keys } = await signingKeys.rotateSigningKeys(
      call,
      call.tokens.keys,
      input.algorithm,
    );
    return {
      rotated,
      ...(rotated
        ? {}
        : {
            message:
              'the next key has not been published long enough for relying parties to know it; ' +
              'it takes over as soon as it has (an emergency: RevokeSigningKey)',
          }),
      decisions: decisions.map(decisionToApi),
      keys: keys.map(signingKeyToApi),
    };
  },
});

export const revokeSigningKey = defineMethod({
  service,
  method: 'RevokeSigningKey',
  input: z.object({ keyId: z.string().min(1, { error: 'must not be empty' }) }),
  handler: async (input, call) => {
    const { decisions, keys } = await signingKeys.revokeSigningKey(call, call.tokens.keys, input.keyId);
    return { decisions: decisions.map(decisionToApi), keys: keys.map(signingKeyToApi) };
  },
});

export const signingKeyMethods = [listSigningKeys, rotateSigningKeys, revokeSigningKey];

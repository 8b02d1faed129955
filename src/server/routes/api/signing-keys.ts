import { z } from 'zod';
import { failedPrecondition, notFound } from '../../../core/errors.ts';
import type { RotationDecision } from '../../../core/keys/plan-rotation.ts';
import { assertInstallationAdmin } from '../../../services/authorize.ts';
import type { SigningKey } from '../../../store/records.ts';
import { defineMethod } from '../../connect/define-method.ts';
import { formatTimestamp } from '../../connect/timestamps.ts';

/**
 * SigningKeyService (envid): the installation admin's view of the token signing keys, on-demand
 * rotation and emergency revocation. Never a private key, encrypted or not.
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

const stateOrder = { current: 0, next: 1, retired: 2 } as const;
const sorted = (keys: SigningKey[]) => [...keys].sort((a, b) => stateOrder[a.state] - stateOrder[b.state]);

const decisionToApi = (decision: RotationDecision) =>
  decision.action === 'create'
    ? { action: decision.action, state: decision.state, reason: decision.reason }
    : { action: decision.action, keyId: decision.kid, reason: decision.reason };

export const listSigningKeys = defineMethod({
  service,
  method: 'ListSigningKeys',
  input: z.object({}),
  handler: async (_input, { principal, tokens: { keys: keyManager } }) => {
    assertInstallationAdmin(principal, 'list signing keys');
    return { keys: sorted(await keyManager.list()).map(signingKeyToApi) };
  },
});

export const rotateSigningKeys = defineMethod({
  service,
  method: 'RotateSigningKeys',
  input: z.object({}),
  handler: async (_input, { principal, tokens: { keys: keyManager } }) => {
    assertInstallationAdmin(principal, 'rotate signing keys');
    const decisions = await keyManager.reconcile({ rotate: true }, principal);
    const rotated = decisions.some((d) => d.action === 'promote');
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
      keys: sorted(await keyManager.list()).map(signingKeyToApi),
    };
  },
});

export const revokeSigningKey = defineMethod({
  service,
  method: 'RevokeSigningKey',
  input: z.object({ keyId: z.string().min(1, { error: 'must not be empty' }) }),
  handler: async (input, { principal, tokens: { keys: keyManager } }) => {
    assertInstallationAdmin(principal, 'revoke signing keys');
    const keys = await keyManager.list();
    const key = keys.find((k) => k.id === input.keyId);
    if (!key) throw notFound('signing key', input.keyId);
    if (keys.length === 1) throw failedPrecondition('the only signing key cannot be revoked');
    const decisions = await keyManager.reconcile({ revoke: [input.keyId] }, principal);
    return {
      decisions: decisions.map(decisionToApi),
      keys: sorted(await keyManager.list()).map(signingKeyToApi),
    };
  },
});

export const signingKeyMethods = [listSigningKeys, rotateSigningKeys, revokeSigningKey];

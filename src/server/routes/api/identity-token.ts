import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { tokenIssuedEvent } from '../../../core/audit/audit-events.ts';
import { invalidArgument, permissionDenied } from '../../../core/errors.ts';
import { newTimeOrderedId } from '../../../core/ids.ts';
import { buildTokenPayload } from '../../../core/tokens/issue-token.ts';
import { signJwtAsync } from '../../../core/tokens/token-signer.ts';
import { defineMethod } from '../../connect/define-method.ts';

/** `lifetime` as protobuf JSON writes a Duration ("900s"), or a whole number of seconds. */
const lifetime = z
  .union([z.string(), z.number()])
  .optional()
  .transform((value) => {
    if (value === undefined || typeof value === 'number') return value;
    const match = /^(\d+)s$/.exec(value);
    if (!match) throw invalidArgument('lifetime', 'must be a duration in seconds such as "900s"');
    return Number(match[1]);
  });

/**
 * GetIDToken (docs/api.md#getidtoken): a signed JWT for the calling principal. The hot path reads no
 * database: the principal, its records and the signing key come from memory; the one write is the batched
 * audit record, which is durable before the token is returned.
 */
export const getIdToken = defineMethod({
  service: 'IdentityService',
  method: 'GetIDToken',
  input: z.object({ audience: z.unknown(), version: z.string().optional(), lifetime }),
  handler: async (input, { principal, clock, tokens, limits, request }) => {
    if (principal.kind === 'installation_admin') {
      throw permissionDenied(
        'the installation admin gets no ID tokens; use a user, service account, runner or environment credential',
      );
    }
    await limits.countTokenRequest(principal);
    const { subject, oidcConfig, profiles } = await tokens.subjects.load(principal);
    const now = clock.now();
    const payload = buildTokenPayload({
      issuer: tokens.issuer(),
      audiences: input.audience,
      ...(input.lifetime !== undefined ? { lifetimeSeconds: input.lifetime } : {}),
      now,
      jti: randomUUID(),
      subject,
      oidcConfig,
      profiles,
    });
    // A profile may sign with ES256; its keys are made on first use, so only that first token waits.
    const algorithm = payload.profile?.signingAlgorithm ?? 'RS256';
    const key = algorithm === 'RS256' ? tokens.keys.signingKey() : await tokens.keys.signingKeyFor(algorithm);
    // The audit record needs only the claims, so it is written while the token is signed; the token is
    // answered only once both are done, so every answered token is on record.
    const signed = signJwtAsync(key, payload.json);
    const [token] = await Promise.all([
      signed,
      tokens.audit.recordTokenIssued(
        tokenIssuedEvent({
          id: newTimeOrderedId(now),
          now,
          subject,
          issued: {
            claims: payload.standard,
            audiences: payload.audiences,
            ...(payload.profile ? { profile: payload.profile } : {}),
          },
          clientAddress: request.ip,
        }),
        signed,
      ),
    ]);
    return { token };
  },
});

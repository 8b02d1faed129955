import { z } from 'zod';
import type { Clock } from '../../core/clock.ts';
import { invalidArgument } from '../../core/errors.ts';

/**
 * When a new credential expires: `expiresAt` (an RFC 3339 time) or `validFor` (a protobuf Duration in
 * its JSON form, whole or fractional seconds such as "3600s"), at most one of them. Neither means the
 * credential lasts until it is revoked.
 */
export const credentialExpiryFields = {
  expiresAt: z
    .string()
    .refine((value) => z.iso.datetime({ offset: true }).safeParse(value).success, {
      error: 'must be an RFC 3339 time, e.g. 2027-01-01T00:00:00Z',
    })
    .optional(),
  validFor: z
    .string()
    .regex(/^\d{1,10}(\.\d{1,9})?s$/, { error: 'must be a duration in seconds, e.g. "86400s"' })
    .optional(),
};

/** At most ten years: anything longer is almost surely a mistake in the request. */
const maxLifetimeMs = 10 * 366 * 24 * 3600 * 1000;

export function resolveCredentialExpiry(
  clock: Clock,
  input: { expiresAt?: string | undefined; validFor?: string | undefined },
): Date | undefined {
  if (input.expiresAt !== undefined && input.validFor !== undefined) {
    throw invalidArgument('validFor', 'must not be given together with expiresAt');
  }
  const now = clock.now().getTime();
  if (input.expiresAt !== undefined) {
    const at = new Date(input.expiresAt);
    if (at.getTime() <= now) throw invalidArgument('expiresAt', 'must be in the future');
    if (at.getTime() - now > maxLifetimeMs) throw invalidArgument('expiresAt', 'must be within ten years');
    return at;
  }
  if (input.validFor !== undefined) {
    const ms = Math.round(Number(input.validFor.slice(0, -1)) * 1000);
    if (ms <= 0) throw invalidArgument('validFor', 'must be positive');
    if (ms > maxLifetimeMs) throw invalidArgument('validFor', 'must be at most ten years');
    return new Date(now + ms);
  }
  return undefined;
}

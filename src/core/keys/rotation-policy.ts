/** Timing of the key lifecycle (docs/tokens.md#lifecycle), in seconds. */
export interface RotationPolicy {
  /** How long a key signs before the next one takes over. Default 30 days. */
  rotationPeriodSeconds: number;
  /** The JWKS `Cache-Control: max-age`: how stale a relying party's copy of the key set may be. */
  jwksMaxAgeSeconds: number;
  /** The longest lifetime of a token (3600 s). */
  maxTokenLifetimeSeconds: number;
  /**
   * Extra time on both sides: a key signs only after `jwksMaxAge + margin` in the JWKS, and a retired key
   * stays `maxTokenLifetime + jwksMaxAge + margin`. It covers clock skew between replicas and the
   * interval at which they reload the key set.
   */
  marginSeconds: number;
}

export const defaultRotationPolicy: RotationPolicy = {
  rotationPeriodSeconds: 30 * 24 * 3600,
  jwksMaxAgeSeconds: 300,
  maxTokenLifetimeSeconds: 3600,
  marginSeconds: 300,
};

export class RotationPolicyError extends Error {
  override readonly name = 'RotationPolicyError';
}

/** Refuses a policy under which a token could outlive its key in the JWKS, or a key sign unpublished. */
export function validateRotationPolicy(policy: RotationPolicy): RotationPolicy {
  for (const [name, value] of Object.entries(policy)) {
    if (!Number.isInteger(value) || value < 0) {
      throw new RotationPolicyError(`key rotation: ${name} must be a whole number of seconds, not ${value}`);
    }
  }
  const floor = policy.maxTokenLifetimeSeconds + policy.jwksMaxAgeSeconds;
  if (policy.rotationPeriodSeconds < floor) {
    throw new RotationPolicyError(
      `key rotation period of ${policy.rotationPeriodSeconds} s is shorter than the longest token lifetime plus the JWKS max-age (${floor} s)`,
    );
  }
  if (policy.jwksMaxAgeSeconds === 0)
    throw new RotationPolicyError('key rotation: jwksMaxAgeSeconds must be positive');
  return policy;
}

/** How long after retirement a key leaves the JWKS. */
export const retentionSeconds = (policy: RotationPolicy): number =>
  policy.maxTokenLifetimeSeconds + policy.jwksMaxAgeSeconds + policy.marginSeconds;

/** How long a key must have been in the JWKS before it may sign. */
export const publicationSeconds = (policy: RotationPolicy): number =>
  policy.jwksMaxAgeSeconds + policy.marginSeconds;

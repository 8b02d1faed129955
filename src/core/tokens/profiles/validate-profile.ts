import {
  type AudienceProfileSettings,
  type SigningAlgorithm,
  signingAlgorithms,
} from '../../domain/audience-profile.ts';
import { invalidArgument } from '../../errors.ts';
import { awsTagsClaim, parseAwsSessionTags } from '../aws-session-tags.ts';
import { oidcConfigToMessage, parseOidcConfig } from '../oidc-config.ts';
import { maxTokenLifetimeSeconds, minTokenLifetimeSeconds } from '../token-lifetime.ts';
import { parseAudiencePattern, patternsOverlap } from './audience-pattern.ts';
import { validateExtraClaims } from './extra-claims.ts';

export const maxProfileAudiences = 20;
export const maxProfilesPerOrganization = 50;
const profileName = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export interface ProfileLimits {
  /** The installation's longest token lifetime. */
  maxLifetimeSeconds?: number;
  /** Algorithms this installation has keys for. */
  availableAlgorithms?: readonly SigningAlgorithm[];
  /** Why a relying party that these audiences reach would refuse `algorithm`, or undefined. */
  algorithmRefusal?: (audiences: readonly string[], algorithm: SigningAlgorithm) => string | undefined;
}

/** Validates a profile as the API receives it; every refusal names the field and what is allowed. */
export function parseAudienceProfileSettings(
  input: unknown,
  limits: ProfileLimits = {},
): AudienceProfileSettings {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw invalidArgument('profile', 'must be an object');
  const p = input as Record<string, unknown>;
  const known = [
    'name',
    'audiences',
    'oidcConfig',
    'lifetimeSeconds',
    'signingAlgorithm',
    'extraClaims',
    'awsSessionTags',
  ];
  const unknown = Object.keys(p).find((k) => !known.includes(k));
  if (unknown !== undefined)
    throw invalidArgument('profile', `unknown member ${JSON.stringify(unknown.slice(0, 80))}`);
  if (typeof p.name !== 'string' || !profileName.test(p.name))
    throw invalidArgument(
      'name',
      'must be 1 to 63 lowercase letters, digits or "-", not starting or ending with "-"',
    );
  const audiences = parseAudiences(p.audiences);
  const oidcConfig = parseOidcConfig(p.oidcConfig ?? { v3: { extraSubFields: [] } }, 'oidcConfig');
  const maxLifetime = limits.maxLifetimeSeconds ?? maxTokenLifetimeSeconds;
  const lifetimeSeconds = p.lifetimeSeconds ?? maxLifetime;
  if (
    typeof lifetimeSeconds !== 'number' ||
    !Number.isInteger(lifetimeSeconds) ||
    lifetimeSeconds < minTokenLifetimeSeconds ||
    lifetimeSeconds > maxLifetime
  ) {
    throw invalidArgument(
      'lifetimeSeconds',
      `must be a whole number of seconds from ${minTokenLifetimeSeconds} to ${maxLifetime} (this installation's maximum)`,
    );
  }
  const signingAlgorithm = p.signingAlgorithm ?? 'RS256';
  if (!signingAlgorithms.includes(signingAlgorithm as SigningAlgorithm))
    throw invalidArgument('signingAlgorithm', `must be one of ${signingAlgorithms.join(', ')}`);
  const available = limits.availableAlgorithms ?? ['RS256'];
  if (!available.includes(signingAlgorithm as SigningAlgorithm))
    throw invalidArgument(
      'signingAlgorithm',
      `${signingAlgorithm} keys are not available on this installation yet`,
    );
  const extraClaims = validateExtraClaims(p.extraClaims);
  const taken = extraClaims.findIndex((claim) => claim.name === awsTagsClaim);
  if (taken >= 0)
    throw invalidArgument(`extraClaims[${taken}].name`, `${awsTagsClaim} is set through awsSessionTags`);
  const refusal = limits.algorithmRefusal?.(audiences, signingAlgorithm as SigningAlgorithm);
  if (refusal !== undefined) throw invalidArgument('signingAlgorithm', refusal);
  return {
    name: p.name,
    audiences,
    oidcConfig,
    lifetimeSeconds,
    signingAlgorithm: signingAlgorithm as SigningAlgorithm,
    extraClaims,
    ...(p.awsSessionTags !== undefined && p.awsSessionTags !== null
      ? { awsSessionTags: parseAwsSessionTags(p.awsSessionTags) }
      : {}),
  };
}

function parseAudiences(input: unknown): string[] {
  if (!Array.isArray(input) || input.length === 0)
    throw invalidArgument('audiences', 'must be a list of at least one audience or pattern');
  if (input.length > maxProfileAudiences)
    throw invalidArgument('audiences', `${input.length} given; at most ${maxProfileAudiences} are allowed`);
  const seen = new Set<string>();
  return input.map((audience, i) => {
    const pattern = parseAudiencePattern(audience, `audiences[${i}]`);
    if (seen.has(pattern.text))
      throw invalidArgument(`audiences[${i}]`, `${JSON.stringify(pattern.text)} is listed twice`);
    seen.add(pattern.text);
    return pattern.text;
  });
}

/**
 * Refuses a profile whose patterns could tie with another profile's: the same exact audience, or two
 * globs fixing as many characters that some audience matches both. Patterns within one profile may
 * overlap freely, since they choose the same profile.
 */
export function checkNoTies(
  candidate: Pick<AudienceProfileSettings, 'name' | 'audiences'>,
  others: readonly Pick<AudienceProfileSettings, 'name' | 'audiences'>[],
): void {
  candidate.audiences.forEach((text, i) => {
    const mine = parseAudiencePattern(text, `audiences[${i}]`);
    for (const other of others) {
      if (other.name === candidate.name) continue;
      for (const theirs of other.audiences) {
        const their = parseAudiencePattern(theirs, 'audiences');
        const tie = mine.exact
          ? their.exact && their.text === mine.text
          : !their.exact &&
            their.literalLength === mine.literalLength &&
            patternsOverlap(mine.text, their.text);
        if (tie)
          throw invalidArgument(
            `audiences[${i}]`,
            `${JSON.stringify(text)} ties with ${JSON.stringify(theirs)} of profile ${JSON.stringify(other.name)}: some audience matches both equally; make one more specific`,
          );
      }
    }
  });
}

/** A profile's settings in the API's form: what parseAudienceProfileSettings reads back unchanged. */
export function audienceProfileToInput(settings: AudienceProfileSettings) {
  return {
    name: settings.name,
    audiences: [...settings.audiences],
    oidcConfig: oidcConfigToMessage(settings.oidcConfig),
    lifetimeSeconds: settings.lifetimeSeconds,
    signingAlgorithm: settings.signingAlgorithm,
    extraClaims: settings.extraClaims.map((claim) => ({ ...claim })),
    ...(settings.awsSessionTags
      ? {
          awsSessionTags: {
            principalTags: { ...settings.awsSessionTags.principalTags },
            transitiveTagKeys: [...settings.awsSessionTags.transitiveTagKeys],
          },
        }
      : {}),
  };
}

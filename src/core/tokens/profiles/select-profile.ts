import { invalidArgument } from '../../errors.ts';
import { type AudiencePattern, parseAudiencePattern, patternMatches } from './audience-pattern.ts';

/** What matching needs of a profile: its name and its audience patterns, parsed once. */
export interface MatchableProfile<P> {
  name: string;
  patterns: AudiencePattern[];
  profile: P;
}

export function matchable<P extends { name: string; audiences: string[] }>(profile: P): MatchableProfile<P> {
  return {
    name: profile.name,
    patterns: profile.audiences.map((a, i) => parseAudiencePattern(a, `audiences[${i}]`)),
    profile,
  };
}

/**
 * The profile for one audience: an exact match wins, then the glob with the most literal characters;
 * undefined means the default profile (the organization's OIDC configuration). Saving refuses
 * profiles whose patterns could tie, so the best match is unique.
 */
export function profileForAudience<P>(
  profiles: readonly MatchableProfile<P>[],
  audience: string,
): MatchableProfile<P> | undefined {
  let best: MatchableProfile<P> | undefined;
  let bestRank = -1;
  for (const candidate of profiles) {
    for (const pattern of candidate.patterns) {
      if (!patternMatches(pattern, audience)) continue;
      // Exact beats every glob: a glob fixes fewer characters than the audience has.
      const rank = pattern.exact ? Number.MAX_SAFE_INTEGER : pattern.literalLength;
      if (rank > bestRank) {
        best = candidate;
        bestRank = rank;
      }
    }
  }
  return best;
}

export const defaultProfileName = 'the default profile';

/**
 * The one profile for all the audiences of a request. Audiences that resolve to different profiles are
 * refused, naming each audience's profile, since a token has one shape.
 */
export function profileForAudiences<P>(
  profiles: readonly MatchableProfile<P>[],
  audiences: readonly string[],
): MatchableProfile<P> | undefined {
  if (profiles.length === 0) return undefined;
  const chosen = audiences.map((audience) => ({ audience, match: profileForAudience(profiles, audience) }));
  const first = chosen[0]?.match;
  if (chosen.every(({ match }) => match === first)) return first;
  const described = chosen
    .map(
      ({ audience, match }) =>
        `${JSON.stringify(audience)} -> ${match ? `profile ${JSON.stringify(match.name)}` : defaultProfileName}`,
    )
    .join(', ');
  throw invalidArgument(
    'audience',
    `the audiences resolve to different audience profiles (${described}); ask for a separate token per profile`,
  );
}

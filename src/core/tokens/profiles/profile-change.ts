import type { AudienceProfileSettings } from '../../domain/audience-profile.ts';
import type { OidcConfig } from '../../domain/oidc-config.ts';
import { patternsOverlap } from './audience-pattern.ts';

type Shape = Pick<AudienceProfileSettings, 'name' | 'audiences' | 'oidcConfig'>;

/**
 * The moves of audiences a profile change may cause, as (from, to) pairs of `sub` configurations:
 * creating a profile takes audiences from the default or from a less specific profile its patterns
 * overlap; deleting one gives them back; an update does both when its patterns change. envid does not
 * know which audiences relying parties use, so this is the conservative set: every overlapping
 * profile and the default count as possible neighbours.
 */
export function profileChangeMoves(
  defaultConfig: OidcConfig,
  others: readonly Shape[],
  before: Shape | undefined,
  after: Shape | undefined,
): { from: OidcConfig; to: OidcConfig }[] {
  const patterns = [...(before?.audiences ?? []), ...(after?.audiences ?? [])];
  const neighbours = [
    defaultConfig,
    ...others
      .filter((o) => o.name !== (after ?? before)?.name)
      .filter((o) => o.audiences.some((theirs) => patterns.some((mine) => patternsOverlap(mine, theirs))))
      .map((o) => o.oidcConfig),
  ];
  const moves: { from: OidcConfig; to: OidcConfig }[] = [];
  const samePatterns =
    before !== undefined &&
    after !== undefined &&
    before.audiences.length === after.audiences.length &&
    before.audiences.every((a) => after.audiences.includes(a));
  if (before && after) moves.push({ from: before.oidcConfig, to: after.oidcConfig });
  if (!samePatterns) {
    if (after) for (const from of neighbours) moves.push({ from, to: after.oidcConfig });
    if (before) for (const to of neighbours) moves.push({ from: before.oidcConfig, to });
  }
  return moves.filter(({ from, to }) => JSON.stringify(from) !== JSON.stringify(to));
}

/**
 * The reversible value encoding of the V3 `sub` (docs/tokens.md#the-v3-sub): `%` becomes `%25`, then `:` becomes `%3A`;
 * nothing else changes. Keys never hold `:` (configuration refuses them), so a `sub` splits back into
 * its pairs at every `:`.
 */

export type SubPair = readonly [key: string, value: string];

export function encodeSubValue(value: string): string {
  // Most values need no escaping (an organization-wide preview encodes hundreds of thousands).
  if (!value.includes('%') && !value.includes(':')) return value;
  return value.replaceAll('%', '%25').replaceAll(':', '%3A');
}

/** Inverse of encodeSubValue; one left-to-right pass so that `%253A` gives back `%3A`. */
export function decodeSubValue(encoded: string): string {
  return encoded.replace(/%(25|3A)/g, (_, code: string) => (code === '25' ? '%' : ':'));
}

export function joinSubPairs(pairs: readonly SubPair[]): string {
  return pairs.map(([key, value]) => `${key}:${encodeSubValue(value)}`).join(':');
}

/** Splits a V3 `sub` into its pairs; throws on a string that no V3 `sub` can be. */
export function splitSub(sub: string): SubPair[] {
  const parts = sub.split(':');
  if (sub === '' || parts.length % 2 !== 0)
    throw new Error('not a V3 sub: it must be key:value pairs joined by ":"');
  const pairs: SubPair[] = [];
  for (let i = 0; i < parts.length; i += 2) {
    const key = parts[i]!;
    const value = parts[i + 1]!;
    if (key === '') throw new Error('not a V3 sub: a key is empty');
    pairs.push([key, decodeSubValue(value)]);
  }
  return pairs;
}

/**
 * Key/value labels an organization puts on its projects and environments (docs/api.md#labels). Stored
 * absent when there are none, never as an empty map.
 */
export type Labels = Record<string, string>;

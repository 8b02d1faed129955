/**
 * A rate limit: at most `count` events in a window of `seconds`, which starts at the first event of a
 * key and resets when it ends (a fixed window per key).
 */
export interface RateLimit {
  count: number;
  seconds: number;
}

/** A setting's value: a limit, or `off`. */
export type RateLimitSetting = RateLimit | 'off';

const shape = /^(\d{1,9})\/(\d{1,5})s$/;

/** The longest window a setting may have: a day. */
export const maxWindowSeconds = 86_400;

/**
 * `<count>/<seconds>s` (e.g. `100/10s`) or `off`. Answers undefined for anything else, a count of 0 or
 * a window outside 1 s..1 day.
 */
export function parseRateLimit(text: string): RateLimitSetting | undefined {
  const trimmed = text.trim();
  if (trimmed === 'off') return 'off';
  const match = shape.exec(trimmed);
  if (!match) return undefined;
  const count = Number(match[1]);
  const seconds = Number(match[2]);
  if (count < 1 || seconds < 1 || seconds > maxWindowSeconds) return undefined;
  return { count, seconds };
}

export const formatRateLimit = (limit: RateLimitSetting): string =>
  limit === 'off' ? 'off' : `${limit.count}/${limit.seconds}s`;

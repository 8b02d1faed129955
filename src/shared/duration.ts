import { maxTokenLifetimeSeconds, minTokenLifetimeSeconds } from '../core/tokens/token-lifetime.ts';
import { usageError } from './exit-codes.ts';

const unitSeconds: Record<string, number> = { s: 1, m: 60, h: 3600 };

/** `90`, `90s`, `15m`, `1h`, `1h30m` as whole seconds; `flag` names the flag in the error. */
export function parseDuration(value: string, flag: string): number {
  const text = value.trim();
  if (/^\d+$/.test(text)) return positive(Number(text), value, flag);
  const parts = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (!parts || text === '') {
    throw usageError(`${flag}: ${JSON.stringify(value)} is not a duration such as 90, 900s, 15m or 1h`);
  }
  const [, hours, minutes, seconds] = parts;
  const total =
    Number(hours ?? 0) * unitSeconds['h']! + Number(minutes ?? 0) * unitSeconds['m']! + Number(seconds ?? 0);
  return positive(total, value, flag);
}

function positive(seconds: number, value: string, flag: string): number {
  if (seconds <= 0) throw usageError(`${flag}: ${JSON.stringify(value)} is not longer than zero`);
  return seconds;
}

const allowedLifetimes = `allowed: ${minTokenLifetimeSeconds}s to ${maxTokenLifetimeSeconds / 3600}h (seconds, or a duration such as 900s, 15m or 1h)`;

/** A token lifetime flag in seconds, refused here when the server would refuse it (a clearer message, no request). */
export function parseTokenLifetime(value: string, flag: string): number {
  let seconds: number;
  try {
    seconds = parseDuration(value, flag);
  } catch (error) {
    throw usageError(`${(error as Error).message}; ${allowedLifetimes}`);
  }
  if (seconds > maxTokenLifetimeSeconds || seconds < minTokenLifetimeSeconds) {
    const bound = seconds > maxTokenLifetimeSeconds ? 'longer than the longest' : 'shorter than the shortest';
    throw usageError(`${flag}: ${JSON.stringify(value)} is ${bound} token lifetime; ${allowedLifetimes}`);
  }
  return seconds;
}

import { usageError } from '../shared/exit-codes.ts';

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

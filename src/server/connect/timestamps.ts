import { invalidArgument } from '../../core/errors.ts';
import { earliestStoredTime, latestStoredTime } from '../../store/store.ts';

/** API timestamps are RFC 3339 strings in UTC with milliseconds, e.g. `2026-11-01T09:30:00.000Z`. */
export const formatTimestamp = (date: Date): string => date.toISOString();

const rfc3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

const daysIn = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();

/**
 * An RFC 3339 time given to the API (`field` names it in the error), checked to the letter: a real
 * calendar date (JavaScript reads 2026-02-31 as 3 March), no leap second, and within the times the
 * database holds (years 0001 to 9999 in UTC). Fractions finer than a millisecond are cut.
 */
export function parseTimestamp(field: string, value: string): Date {
  const parts = rfc3339.exec(value);
  const [year, month, day, hour, minute, second] = (parts?.slice(1, 7) ?? []).map(Number) as number[];
  const offsetHours = Number(parts?.[9] ?? 0);
  const offsetMinutes = Number(parts?.[10] ?? 0);
  if (
    !parts ||
    month! < 1 ||
    month! > 12 ||
    day! < 1 ||
    day! > daysIn(year!, month!) ||
    hour! > 23 ||
    minute! > 59 ||
    second! > 59 ||
    offsetHours > 23 ||
    offsetMinutes > 59
  ) {
    throw invalidArgument(field, 'must be an RFC 3339 time such as "2026-11-01T09:30:00Z"');
  }
  const milliseconds = Math.floor(Number(`0${parts[7] ?? ''}`) * 1000);
  const offset = (parts[8] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  const utc = new Date(0);
  utc.setUTCFullYear(year!, month! - 1, day!); // Date.UTC reads years 0-99 as 1900-1999
  utc.setUTCHours(hour!, minute!, second!, milliseconds);
  const date = new Date(utc.getTime() - offset);
  if (!(date >= earliestStoredTime && date <= latestStoredTime)) {
    throw invalidArgument(
      field,
      `must be between ${formatTimestamp(earliestStoredTime)} and ${formatTimestamp(latestStoredTime)}`,
    );
  }
  return date;
}

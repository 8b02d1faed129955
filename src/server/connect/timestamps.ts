/** API timestamps are RFC 3339 strings in UTC with milliseconds, e.g. `2026-11-01T09:30:00.000Z`. */
export const formatTimestamp = (date: Date): string => date.toISOString();

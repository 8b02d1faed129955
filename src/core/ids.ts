import { randomUUID } from 'node:crypto';

/** All IDs are lower-case, hyphenated UUIDs (SPEC §1). */
export const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const isUuid = (value: string): boolean => uuidPattern.test(value);

export const newId = (): string => randomUUID();

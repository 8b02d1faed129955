import type { OidcConfig } from '../domain/oidc-config.ts';
import { invalidArgument } from '../errors.ts';
import { allowedSubFieldsDescription, subFieldProblem } from './sub-fields.ts';

export const maxExtraSubFields = 50;

/** The API's shape of the configuration (docs/api.md#getoidcconfig). */
export type OidcConfigMessage =
  | { v3: { extraSubFields: string[]; labelClaims?: true } }
  | { v2: Record<string, never> };

/** New organizations start on V3 with no extra fields. */
export const defaultOidcConfig = (): OidcConfig => ({ version: 'v3', extraSubFields: [] });

export function oidcConfigToMessage(config: OidcConfig): OidcConfigMessage {
  if (config.version === 'v2') return { v2: {} };
  return {
    v3: { extraSubFields: [...config.extraSubFields], ...(config.labelClaims ? { labelClaims: true } : {}) },
  };
}

/**
 * Validates a configuration as the API receives it (`{"v3": {"extraSubFields": [...]}}` or `{"v2": {}}`)
 * and answers the stored form. Every refusal is an invalid_argument naming the field and what is allowed.
 */
export function parseOidcConfig(input: unknown, field = 'oidcConfig'): OidcConfig {
  if (!isObject(input))
    throw invalidArgument(field, 'must be {"v3": {"extraSubFields": [...]}} or {"v2": {}}');
  const versions = Object.keys(input).filter((k) => input[k] !== undefined);
  const unknown = versions.filter((k) => k !== 'v2' && k !== 'v3');
  if (unknown.length > 0)
    throw invalidArgument(field, `unknown member ${quote(unknown[0]!)}; use "v3" or "v2"`);
  if (versions.length !== 1) throw invalidArgument(field, 'must set exactly one of "v3" or "v2"');
  if (versions[0] === 'v2') {
    const v2 = input.v2;
    if (!isObject(v2)) throw invalidArgument(`${field}.v2`, 'must be an object');
    const extra = v2.extraSubFields;
    if (
      Object.keys(v2).some((k) => k !== 'extraSubFields') ||
      (Array.isArray(extra) ? extra.length > 0 : extra !== undefined)
    ) {
      throw invalidArgument(`${field}.v2`, 'V2 takes no extra sub fields; use "v3" to add fields to the sub');
    }
    return { version: 'v2' };
  }
  const v3 = input.v3;
  if (!isObject(v3)) throw invalidArgument(`${field}.v3`, 'must be an object');
  const unknownV3 = Object.keys(v3).find((k) => k !== 'extraSubFields' && k !== 'labelClaims');
  if (unknownV3 !== undefined) throw invalidArgument(`${field}.v3`, `unknown member ${quote(unknownV3)}`);
  const labelClaims = v3.labelClaims ?? false;
  if (typeof labelClaims !== 'boolean')
    throw invalidArgument(`${field}.v3.labelClaims`, 'must be true or false');
  return {
    version: 'v3',
    extraSubFields: validateExtraSubFields(v3.extraSubFields ?? [], `${field}.v3.extraSubFields`),
    // Stored only when on, so a configuration without it stays byte-for-byte what it was.
    ...(labelClaims ? { labelClaims: true as const } : {}),
  };
}

/** At most 50 fields, unique, non-empty, each one of the allowed fields of docs/tokens.md#organization-oidc-configuration. */
export function validateExtraSubFields(input: unknown, field = 'extraSubFields'): string[] {
  if (!Array.isArray(input)) throw invalidArgument(field, 'must be a list of field names');
  if (input.length > maxExtraSubFields) {
    throw invalidArgument(field, `${input.length} fields given; at most ${maxExtraSubFields} are allowed`);
  }
  const seen = new Set<string>();
  input.forEach((name: unknown, index) => {
    const at = `${field}[${index}]`;
    if (typeof name !== 'string') throw invalidArgument(at, 'must be a string');
    if (name === '') throw invalidArgument(at, `must not be empty; allowed: ${allowedSubFieldsDescription}`);
    if (seen.has(name))
      throw invalidArgument(at, `${quote(name)} is listed twice; each field may appear once`);
    const problem = subFieldProblem(name);
    if (problem)
      throw invalidArgument(at, `${quote(name)} ${problem}; allowed: ${allowedSubFieldsDescription}`);
    seen.add(name);
  });
  return [...(input as string[])];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Echoes a caller's value in an error, shortened so that a huge input does not make a huge message. */
function quote(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

import { usageError } from '../../shared/exit-codes.ts';

/** What TrustService/PlanTrust takes for `--scope`. */
export interface ScopeFlag {
  scope: 'self' | 'organization' | 'project' | 'user' | 'service_account' | 'runner';
  id?: string;
}

const withId = {
  project: 'project',
  user: 'user',
  'service-account': 'service_account',
  runner: 'runner',
} as const;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const scopeFlagDescription =
  'whose tokens to trust: self (this credential’s principal), organization, project:<id>, user:<id>, service-account:<id> or runner:<id>';

/** Parses `--scope`: `self`, `organization`, or `<kind>:<uuid>`; a bad one names what is allowed. */
export function parseScopeFlag(value: string | undefined): ScopeFlag {
  const text = (value ?? 'self').trim();
  if (text === 'self' || text === 'organization') return { scope: text };
  const colon = text.indexOf(':');
  const kind = text.slice(0, colon) as keyof typeof withId;
  const id = text.slice(colon + 1);
  if (colon < 0 || !Object.hasOwn(withId, kind)) {
    throw usageError(
      `--scope: ${JSON.stringify(text)} is not a scope; use ${scopeFlagDescription.replace(/^whose tokens to trust: /, '')}`,
    );
  }
  if (!uuidPattern.test(id)) {
    throw usageError(`--scope: ${JSON.stringify(id)} is not a ${kind} ID (a lower-case UUID)`);
  }
  return { scope: withId[kind], id };
}

import { usageError } from '../../shared/exit-codes.ts';
import { shellQuote } from '../../shared/shell-quote.ts';
import type { RelyingPartyOption, RelyingPartyTrust } from '../relying-party.ts';
import { scopeSlug, type TrustEnvelope, type TrustPlan, trustEnvelope } from '../trust-plan.ts';
import { defaultVaultAudience, defaultVaultMount, parseVaultMount, parseVaultRole } from './rules.ts';

export const vaultTrustOptions: readonly RelyingPartyOption[] = [
  { flags: '--role <name>', description: 'the JWT auth role to write (default: envid-<scope>)' },
  {
    flags: '--mount <path>',
    description: `where the JWT auth method is mounted (default: ${defaultVaultMount})`,
  },
  { flags: '--policy <name...>', description: 'token policies of the role (default: default)' },
  {
    flags: '--audience <aud>',
    description: `aud of the tokens, the role's bound_audiences (default: ${defaultVaultAudience})`,
  },
];

/**
 * The JWT auth method's config and a role, as `vault read -format=json auth/<mount>/config` and
 * `…/role/<name>` show their `data`: discovery from envid's issuer, `bound_audiences`, `bound_claims`
 * on `sub` (`bound_claims_type=glob` for a prefix), `user_claim=sub` (docs/providers/vault.md#setting-up-trust).
 */
export function renderVaultTrust(plan: TrustPlan, settings: Record<string, unknown>): TrustEnvelope {
  const audience = typeof settings['audience'] === 'string' ? settings['audience'] : defaultVaultAudience;
  const mount = checked('--mount', () => parseVaultMount(stringOr(settings['mount'], defaultVaultMount)));
  const role = checked('--role', () =>
    parseVaultRole(stringOr(settings['role'], `envid-${scopeSlug(plan)}`)),
  );
  const policies = Array.isArray(settings['policy']) ? (settings['policy'] as string[]) : ['default'];
  const exact = plan.subject !== undefined;
  const config = { oidc_discovery_url: plan.issuer, bound_issuer: plan.issuer };
  const roleData = {
    role_type: 'jwt',
    user_claim: 'sub',
    bound_audiences: [audience],
    bound_claims_type: exact ? 'string' : 'glob',
    bound_claims: { sub: exact ? [plan.subject] : plan.subjectPatterns },
    token_policies: policies,
    token_ttl: 3600,
  };
  const warnings: string[] = [];
  return trustEnvelope('vault', plan, audience, {
    documents: { config, role: { name: role, ...roleData } },
    commands: [
      `vault auth enable -path=${shellQuote(mount)} jwt`,
      `vault write ${shellQuote(`auth/${mount}/config`)} oidc_discovery_url=${shellQuote(plan.issuer)} bound_issuer=${shellQuote(plan.issuer)}`,
      `echo ${shellQuote(JSON.stringify(roleData))} | vault write ${shellQuote(`auth/${mount}/role/${role}`)} -`,
    ],
    warnings: [
      ...warnings,
      'skip vault auth enable when the JWT auth method is mounted already; the config is shared by every role of the mount',
    ],
  });
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' && value !== '' ? value : fallback;
}

function checked(flag: string, parse: () => string): string {
  try {
    return parse();
  } catch (error) {
    throw usageError(`${flag}: ${(error as Error).message}`);
  }
}

export const vaultTrust: RelyingPartyTrust = {
  summary: 'the JWT auth method’s config and a role',
  options: vaultTrustOptions,
  render: renderVaultTrust,
};

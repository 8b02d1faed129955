import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { vaultTrustCheck } from '../../src/relying-parties/vault/check.ts';
import { type StandInVaultRole, startVaultStandIn, type VaultStandIn } from '../stand-ins/vault-jwt.ts';
import {
  type CheckTokenSource,
  runTrustCheck,
  secondsPastExpiry,
  startCheckTokenSource,
  type TokenPrincipal,
} from '../support/check-tokens.ts';
import { claimsOf } from '../support/jwt-parts.ts';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

const audience = 'vault.hashicorp.com';

interface VaultCase {
  name: string;
  principal?: TokenPrincipal;
  /** `auth/jwt/config`'s data, as `vault read -format=json auth/jwt/config` shows it. */
  config?: (iss: string) => Record<string, unknown>;
  /** `auth/jwt/role/dev`'s data. */
  role: (sub: string) => StandInVaultRole;
  expired?: boolean;
  /** undefined: accepted; else Vault's message (a part of it). */
  refusal?: string;
}

const role = (fields: Partial<StandInVaultRole>): StandInVaultRole => ({
  role_type: 'jwt',
  user_claim: 'sub',
  bound_audiences: [audience],
  ...fields,
});

/** Vault's documented rules (docs/providers/vault.md): each case runs through idp check and the stand-in. */
const cases: VaultCase[] = [
  { name: 'exact bound_subject', role: (sub) => role({ bound_subject: sub }) },
  {
    name: 'bound_subject in another case',
    role: (sub) => role({ bound_subject: sub.toUpperCase() }),
    refusal: 'sub claim does not match bound subject',
  },
  {
    name: 'oidc_discovery_url with a trailing slash',
    config: (iss) => ({ oidc_discovery_url: `${iss}/` }),
    role: (sub) => role({ bound_subject: sub }),
    refusal: 'oidc: id token issued by a different provider',
  },
  {
    name: 'wrong audience',
    role: (sub) => role({ bound_subject: sub, bound_audiences: ['https://vault.example.com'] }),
    refusal: 'audience claim does not match any expected audience',
  },
  {
    name: 'no bound_audiences for a token with aud',
    role: (sub) => role({ bound_subject: sub, bound_audiences: [] }),
    refusal: 'audience claim found in JWT but no audiences bound to the role',
  },
  {
    name: 'glob prefix on sub',
    role: (sub) =>
      role({ bound_claims: { sub: `${sub.split(':project_id:')[0]}:*` }, bound_claims_type: 'glob' }),
  },
  {
    name: 'glob of another organization',
    role: () => role({ bound_claims: { sub: 'organization_id:00000000-*' }, bound_claims_type: 'glob' }),
    refusal: 'claim "sub" does not match any associated bound claim values',
  },
  {
    name: 'a * under bound_claims_type string is literal',
    role: (sub) => role({ bound_claims: { sub: `${sub.slice(0, 20)}*` }, bound_claims_type: 'string' }),
    refusal: 'claim "sub" does not match any associated bound claim values',
  },
  {
    name: 'a bound claim the token lacks',
    role: () => role({ bound_claims: { team: 'platform' } }),
    refusal: 'claim "team" is missing',
  },
  {
    name: 'a user token for a role bound to the environment',
    principal: 'user',
    role: () => role({ bound_claims: { sub: '*:environment_id:*' }, bound_claims_type: 'glob' }),
    refusal: 'claim "sub" does not match any associated bound claim values',
  },
  {
    name: 'user_claim the token lacks',
    role: (sub) => role({ bound_subject: sub, user_claim: 'email' }),
    refusal: 'claim "email" not found in token',
  },
  {
    name: 'expired',
    role: (sub) => role({ bound_subject: sub }),
    expired: true,
    refusal: 'token is expired',
  },
];

describe('envid idp check vault agrees with the Vault JWT auth stand-in', () => {
  let tokens: CheckTokenSource;
  let vault: VaultStandIn;

  beforeAll(async () => {
    tokens = await startCheckTokenSource();
    vault = await startVaultStandIn();
  });
  afterAll(async () => {
    await vault?.close();
    await tokens?.stop();
  });

  it.each(cases)('$name', async (testCase) => {
    const token = await tokens.token(audience, testCase.principal);
    const { iss, sub } = claimsOf(token);
    const config = testCase.config?.(iss) ?? { oidc_discovery_url: iss };
    const roleData = testCase.role(sub);
    const offset = testCase.expired ? secondsPastExpiry(token) : 0;

    const verdict = runTrustCheck(
      vaultTrustCheck,
      token,
      {
        documents: [
          { request_id: 'r1', data: config },
          { request_id: 'r2', data: { ...roleData, name: 'dev' } },
        ],
      },
      Math.floor(Date.now() / 1000) + offset,
    );

    vault.mounts.set('jwt', {
      oidcDiscoveryUrl: config['oidc_discovery_url'] as string,
      roles: { dev: roleData },
    });
    vault.clockOffsetSeconds = offset;
    const response = await fetch(`${vault.url}/v1/auth/jwt/login`, {
      method: 'POST',
      body: JSON.stringify({ role: 'dev', jwt: token }),
    });
    const body = (await response.json()) as { errors?: string[] };

    if (testCase.refusal === undefined) {
      expect(verdict).toMatchObject({ accepted: true });
      expect(response.status).toBe(200);
    } else {
      expect(verdict.accepted).toBe(false);
      expect(verdict.code).toContain(testCase.refusal);
      expect(body.errors?.[0]).toContain(testCase.refusal);
      // Where the rule holds a value the token does not, the check says where they differ.
      if (verdict.differsAt !== undefined)
        expect(verdict.ruleValue?.slice(0, verdict.differsAt)).toBe(
          verdict.tokenValue?.slice(0, verdict.differsAt),
        );
    }
  });

  it('names the first difference of a subject that differs in case', async () => {
    const token = await tokens.token(audience);
    const { iss, sub } = claimsOf(token);
    const wrong = sub.replace(/[a-f]/, (letter: string) => letter.toUpperCase());
    const verdict = runTrustCheck(vaultTrustCheck, token, { flags: { issuer: iss, subject: wrong } });
    expect(verdict).toMatchObject({ accepted: false, ruleValue: wrong, tokenValue: sub });
    expect(verdict.differsAt).toBe(sub.search(/[a-f]/));
  });

  it('refuses a configuration with neither discovery nor keys, naming the fields', async () => {
    const token = await tokens.token(audience);
    expect(() =>
      runTrustCheck(vaultTrustCheck, token, {
        documents: [{ data: { bound_issuer: 'https://x' } }, { data: { user_claim: 'sub' } }],
      }),
    ).toThrow(/exactly one of oidc_discovery_url, jwks_url and jwt_validation_pubkeys/);
  });
});

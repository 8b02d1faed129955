import type { VaultError } from './exchange.ts';

/** What a Vault refusal means and what to do, for src/relying-parties/support/explain-error.ts. */
export interface VaultErrorExplanation {
  /** A short code for the refusal (Vault itself has only HTTP status and text). */
  code: string;
  meaning: string;
  expected: Record<string, string | undefined>;
  nextStep: string;
}

export interface VaultLoginContext {
  address: string;
  mount: string;
  role: string;
  audience: string;
}

/** Explains each of the JWT auth method's documented login errors. */
export function explainVaultError(error: VaultError, context: VaultLoginContext): VaultErrorExplanation {
  const { mount, role } = context;
  const message = error.errors.join('; ');
  const text = message.toLowerCase();
  const readRole = `vault read auth/${mount}/role/${role}`;
  const readConfig = `vault read auth/${mount}/config`;
  const code = `HTTP ${error.status}`;
  if (error.status === 503 || text.includes('sealed')) {
    return {
      code,
      meaning: 'Vault is sealed or in standby and cannot log anyone in',
      expected: {},
      nextStep: 'ask the Vault operators to unseal it, then log in again',
    };
  }
  if (text.includes('missing token') || text.includes('missing role')) {
    return {
      code,
      meaning: 'the login request lacked the role or the JWT',
      expected: {},
      nextStep: 'pass --role (or IDP_VAULT_ROLE); this is a bug in envid if the role was given',
    };
  }
  if (/could not be found|role .* not found/.test(text)) {
    return {
      code,
      meaning: `there is no role ${JSON.stringify(role)} on the JWT auth method at auth/${mount}`,
      expected: { role },
      nextStep: `list the roles (vault list auth/${mount}/role) and pass the right one with --role (or IDP_VAULT_ROLE), or check --mount`,
    };
  }
  if (
    error.status === 403 ||
    error.status === 404 ||
    text.includes('missing client token') ||
    text.includes('no handler for route')
  ) {
    return {
      code,
      meaning: `no JWT auth method is mounted at auth/${mount} on ${context.address} (Vault answers a login to an unknown mount like this)`,
      expected: { mount },
      nextStep: `check --mount and VAULT_ADDR (and VAULT_NAMESPACE on Vault Enterprise); the operators enable it with \`vault auth enable -path=${mount} jwt\``,
    };
  }
  if (text.includes('role_type') || text.includes('oidc role')) {
    return {
      code,
      meaning: `role ${role} is an OIDC (browser) role; a JWT login needs role_type=jwt`,
      expected: { role_type: 'jwt' },
      nextStep: `vault write auth/${mount}/role/${role} role_type=jwt …, or use a JWT role`,
    };
  }
  if (text.includes('no audiences bound')) {
    return {
      code,
      meaning: 'the token has an aud claim but the role binds no audiences, which Vault refuses',
      expected: { bound_audiences: '(none on the role)' },
      nextStep: `add the audience to the role: vault write auth/${mount}/role/${role} bound_audiences=${context.audience} …`,
    };
  }
  if (/\baud\b|audience/.test(text)) {
    return {
      code,
      meaning: "the token's aud is not one of the role's bound_audiences",
      expected: { aud: `the role's bound_audiences (${readRole})` },
      nextStep: `log in with --audience set to one of them, or add ${context.audience} to the role's bound_audiences`,
    };
  }
  if (text.includes('sub claim') || text.includes('bound subject') || text.includes('(sub)')) {
    return {
      code,
      meaning: "the token's sub is not the role's bound_subject (an exact match)",
      expected: { sub: `the role's bound_subject (${readRole})` },
      nextStep: `set the role's bound_subject to the token's sub shown here, or bind on claims instead (bound_claims with bound_claims_type=glob for a pattern)`,
    };
  }
  const claim = /claim "([^"]+)"/.exec(message)?.[1];
  if (claim && text.includes('does not match')) {
    return {
      code,
      meaning: `the token's ${claim} claim matches none of the role's bound_claims values for it`,
      expected: { [claim]: `one of the role's bound_claims.${claim} (${readRole})` },
      nextStep: `compare with the token's claims (envid idp token --audience ${context.audience} --decode); bound_claims_type=glob allows * patterns`,
    };
  }
  if (claim && (text.includes('missing') || text.includes('not found'))) {
    return {
      code,
      meaning: `the token has no ${claim} claim, which the role's bound_claims or user_claim require`,
      expected: { claim },
      nextStep: `see which claims envid gives this principal (envid idp token --audience ${context.audience} --decode; docs/tokens.md) and change the role to use one of them`,
    };
  }
  if (/\biss\b|issuer|different provider/.test(text)) {
    return {
      code,
      meaning: "the token's iss is not the issuer the auth method trusts (oidc_discovery_url / bound_issuer)",
      expected: { iss: `the auth method's oidc_discovery_url or bound_issuer (${readConfig})` },
      nextStep:
        "set oidc_discovery_url (and bound_issuer, if used) to envid's issuer exactly as its discovery document says",
    };
  }
  if (
    /expired|not yet valid|before the nbf|issued in the future|\(exp\)|\(nbf\)|\(iat\)|no issue time/.test(
      text,
    )
  ) {
    return {
      code,
      meaning:
        "the token's time claims were refused (expired, or not valid yet beyond the role's clock_skew_leeway)",
      expected: { time: 'nbf <= now <= exp, within the role leeways' },
      nextStep: "check this machine's and Vault's clocks, then log in again",
    };
  }
  if (/signature|jwks|keyset|key set|no known key/.test(text)) {
    return {
      code,
      meaning: "the token's signature could not be verified with the keys Vault has for the issuer",
      expected: { kid: "a key in envid's JWKS" },
      nextStep: `check that Vault reaches envid's discovery and JWKS (${readConfig}); after a key rotation with static jwt_validation_pubkeys, update them`,
    };
  }
  return {
    code,
    meaning: 'Vault refused the login',
    expected: {},
    nextStep: `compare the role (${readRole}) and config (${readConfig}) with the token (envid idp token --audience ${context.audience} --decode)`,
  };
}

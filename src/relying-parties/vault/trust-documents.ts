import { usageError } from '../../shared/exit-codes.ts';
import {
  isObject,
  requireString,
  stringList,
  type TrustInput,
  unrecognized,
  unwrapTrustInput,
} from '../support/trust-input.ts';
import { defaultVaultAudience } from './rules.ts';

/** `auth/<mount>/config` of the JWT auth method: where Vault gets the keys, and the issuer it binds. */
export interface VaultJwtConfig {
  oidcDiscoveryUrl?: string;
  /** jwks_url or jwt_validation_pubkeys: keys without discovery; then bound_issuer is the issuer rule. */
  staticKeys: boolean;
  boundIssuer?: string;
}

/** `auth/<mount>/role/<name>`: what the role binds. */
export interface VaultJwtRole {
  name: string;
  roleType: string;
  userClaim: string;
  boundAudiences: string[];
  boundSubject?: string;
  boundClaims: Record<string, string[]>;
  boundClaimsType: 'string' | 'glob';
  clockSkewLeeway: number;
}

export interface VaultTrust {
  config: VaultJwtConfig;
  role: VaultJwtRole;
}

const accepted =
  '`vault read -format=json auth/<mount>/config` and `vault read -format=json auth/<mount>/role/<role>` output (two --config files), or `envid idp trust vault` output';

/**
 * The JWT auth method's config and role `envid idp check vault` evaluates: from `--config` files
 * (`vault read -format=json` output, or its `data`, or `envid idp trust vault`'s envelope), else built
 * from --issuer (as oidc_discovery_url), --audience (bound_audiences) and --subject (bound_subject) or
 * --subject-prefix (a glob bound claim on sub). A missing config or role is built from the flags.
 */
export function readVaultTrust(input: TrustInput): VaultTrust {
  const { documents, flags } = unwrapTrustInput('vault', input);
  let config: VaultJwtConfig | undefined;
  let role: VaultJwtRole | undefined;
  for (const { source, value } of documents) {
    const data = isObject(value) && isObject(value['data']) ? value['data'] : value;
    if (isObject(data) && 'user_claim' in data) role = readRole(data, source);
    else if (
      isObject(data) &&
      ['oidc_discovery_url', 'jwks_url', 'jwt_validation_pubkeys', 'bound_issuer'].some((key) => key in data)
    )
      config = readConfig(data, source);
    else if (!source.includes(' documents.')) throw unrecognized(source, 'Vault JWT auth', accepted);
  }
  if (!config) {
    if (flags.issuer === undefined)
      throw usageError(`give --issuer (Vault's oidc_discovery_url), or --config with ${accepted}`);
    config = { oidcDiscoveryUrl: flags.issuer, staticKeys: false };
  }
  if (!role) {
    if (flags.subject === undefined && flags.subjectPrefix === undefined)
      throw usageError(`give --subject or --subject-prefix, or --config with ${accepted}`);
    role = {
      name: 'flags',
      roleType: 'jwt',
      userClaim: 'sub',
      boundAudiences: [flags.audience ?? defaultVaultAudience],
      ...(flags.subject !== undefined ? { boundSubject: flags.subject } : {}),
      boundClaims: flags.subject === undefined ? { sub: [`${flags.subjectPrefix}*`] } : {},
      boundClaimsType: flags.subject === undefined ? 'glob' : 'string',
      clockSkewLeeway: 60,
    };
  }
  return { config, role };
}

function readConfig(data: Record<string, unknown>, source: string): VaultJwtConfig {
  const discovery = data['oidc_discovery_url'];
  const hasKeys =
    (typeof data['jwks_url'] === 'string' && data['jwks_url'] !== '') ||
    (Array.isArray(data['jwt_validation_pubkeys']) && data['jwt_validation_pubkeys'].length > 0);
  const hasDiscovery = typeof discovery === 'string' && discovery !== '';
  if (hasDiscovery === hasKeys)
    throw usageError(
      `${source}: exactly one of oidc_discovery_url, jwks_url and jwt_validation_pubkeys must be set (Vault requires it)`,
    );
  const boundIssuer =
    typeof data['bound_issuer'] === 'string' && data['bound_issuer'] !== ''
      ? data['bound_issuer']
      : undefined;
  return {
    ...(hasDiscovery ? { oidcDiscoveryUrl: discovery as string } : {}),
    staticKeys: hasKeys,
    ...(boundIssuer ? { boundIssuer } : {}),
  };
}

function readRole(data: Record<string, unknown>, source: string): VaultJwtRole {
  const claims = data['bound_claims'] ?? {};
  if (!isObject(claims)) throw usageError(`${source}: bound_claims must be an object of claim → value(s)`);
  const type = data['bound_claims_type'] ?? 'string';
  if (type !== 'string' && type !== 'glob')
    throw usageError(`${source}: bound_claims_type must be "string" or "glob", got ${JSON.stringify(type)}`);
  const leeway = data['clock_skew_leeway'] ?? 60;
  if (typeof leeway !== 'number' || leeway < 0)
    throw usageError(
      `${source}: clock_skew_leeway must be seconds (a number), got ${JSON.stringify(leeway)}`,
    );
  const subject = data['bound_subject'];
  return {
    name: typeof data['name'] === 'string' ? data['name'] : source,
    roleType: typeof data['role_type'] === 'string' ? data['role_type'] : 'oidc',
    userClaim: requireString(data['user_claim'], source, 'user_claim'),
    boundAudiences: stringList(data['bound_audiences'] ?? [], source, 'bound_audiences'),
    ...(typeof subject === 'string' && subject !== '' ? { boundSubject: subject } : {}),
    boundClaims: Object.fromEntries(
      Object.entries(claims).map(([name, values]) => [
        name,
        stringList(values, source, `bound_claims.${name}`),
      ]),
    ),
    boundClaimsType: type,
    clockSkewLeeway: leeway === 0 ? 60 : leeway,
  };
}

import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { JSONWebKeySet } from 'jose';
import { checkEnvidJwt } from '../support/envid-jwt-check.ts';
import { listenLocally, readBody } from '../support/local-server.ts';
import { verifyWithKeys } from './static-keys.ts';

/**
 * A stand-in for HashiCorp Vault's JWT auth method (`POST /v1/auth/<mount>/login {role, jwt}`) plus
 * `GET /v1/auth/token/lookup-self` (what the `vault` CLI does with the token it reads), following
 * vault-plugin-auth-jwt's checks and Vault's `{"errors": [...]}` shape. With `oidcDiscoveryUrl` it
 * fetches discovery and JWKS over HTTP on every login, as Vault's verifier does.
 */
export interface StandInVaultRole {
  role_type?: 'jwt' | 'oidc';
  user_claim: string;
  bound_audiences?: string[];
  bound_subject?: string;
  bound_claims?: Record<string, string | string[]>;
  bound_claims_type?: 'string' | 'glob';
  policies?: string[];
  /** What `vault read` shows for the role's policies (`policies` is its older alias). */
  token_policies?: string[];
  token_ttl?: number;
  /** Seconds; Vault's default is 60. */
  clock_skew_leeway?: number;
}

export interface StandInVaultMount {
  /** Exactly one of the three, as Vault requires. */
  oidcDiscoveryUrl?: string;
  jwksUrl?: string;
  jwtValidationPubkeys?: JSONWebKeySet;
  /** Checked against `iss` with jwks_url / static keys (OIDC discovery checks the issuer itself). */
  boundIssuer?: string;
  roles: Record<string, StandInVaultRole>;
}

export interface IssuedVaultToken {
  clientToken: string;
  role: string;
  /** The value of the role's user_claim: Vault's entity alias name. */
  alias: string;
  policies: string[];
}

export interface VaultStandIn {
  url: string;
  /** Each login's mount and X-Vault-Namespace header, for assertions on what clients sent. */
  logins: { mount: string; namespace?: string }[];
  mounts: Map<string, StandInVaultMount>;
  issued: IssuedVaultToken[];
  sealed: boolean;
  clockOffsetSeconds: number;
  close(): Promise<void>;
}

type State = Omit<VaultStandIn, 'url' | 'close'>;

export async function startVaultStandIn(): Promise<VaultStandIn> {
  const state: State = { mounts: new Map(), issued: [], logins: [], sealed: false, clockOffsetSeconds: 0 };
  const server = createServer((request, response) => {
    handle(state, request, response).catch((error: Error) =>
      send(response, 500, { errors: [error.message] }),
    );
  });
  const { port, close } = await listenLocally(server);
  return Object.assign(state, { url: `http://127.0.0.1:${port}`, close });
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

const refuse = (message: string, status = 400) => ({ status, body: { errors: [message] } });

async function handle(state: State, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://stand-in').pathname;
  const text = await readBody(request);
  if (state.sealed) return send(response, 503, { errors: ['Vault is sealed'] });
  if (request.method === 'GET' && path === '/v1/auth/token/lookup-self') {
    const token = request.headers['x-vault-token'];
    const issued = state.issued.find((entry) => entry.clientToken === token);
    if (!issued) return send(response, 403, { errors: ['permission denied'] });
    return send(response, 200, {
      data: { display_name: `jwt-${issued.alias}`, policies: issued.policies, meta: { role: issued.role } },
    });
  }
  const login = /^\/v1\/auth\/(.+)\/login$/.exec(path);
  if (login) {
    const namespace = request.headers['x-vault-namespace'];
    state.logins.push({ mount: login[1]!, ...(typeof namespace === 'string' ? { namespace } : {}) });
  }
  const mount = login ? state.mounts.get(login[1]!) : undefined;
  // Vault answers a login to a path where nothing is mounted as any unauthenticated request.
  if (request.method !== 'POST' || !login || !mount)
    return send(response, 403, { errors: ['permission denied'] });
  let body: { role?: unknown; jwt?: unknown } = {};
  try {
    body = JSON.parse(text || '{}');
  } catch {
    return send(response, 400, { errors: ['failed to parse JSON input'] });
  }
  const answer = await loginAt(state, mount, body);
  send(response, answer.status, answer.body);
}

async function loginAt(
  state: State,
  mount: StandInVaultMount,
  body: { role?: unknown; jwt?: unknown },
): Promise<{ status: number; body: unknown }> {
  const roleName = typeof body.role === 'string' ? body.role.toLowerCase() : '';
  if (roleName === '') return refuse('missing role');
  const role = mount.roles[roleName];
  if (!role) return refuse(`role "${roleName}" could not be found`);
  if (role.role_type === 'oidc') return refuse('role with oidc role_type is not allowed');
  const token = typeof body.jwt === 'string' ? body.jwt : '';
  if (token === '') return refuse('missing token');

  const leeway = role.clock_skew_leeway ?? 60;
  const now = Math.floor(Date.now() / 1000) + state.clockOffsetSeconds;
  let claims: Record<string, unknown>;
  if (mount.oidcDiscoveryUrl) {
    // go-oidc: the issuer, then the keys discovered from it and the signature, then expiry and not-before.
    const result = await checkEnvidJwt(token, {
      issuer: mount.oidcDiscoveryUrl,
      algorithms: ['RS256'],
      clockToleranceSeconds: Number.MAX_SAFE_INTEGER,
    });
    if (!result.ok) {
      switch (result.reason) {
        case 'issuer':
          return refuse(
            `error validating signature: oidc: id token issued by a different provider, expected "${mount.oidcDiscoveryUrl}" got "${String(result.payload?.iss)}"`,
          );
        case 'discovery':
          return refuse(`error getting provider for login operation: ${result.detail}`, 500);
        case 'key-not-found':
        case 'signature':
          return refuse(
            'error validating signature: failed to verify signature: failed to verify id token signature',
          );
        default:
          return refuse(`error validating signature: oidc: malformed jwt: ${result.detail}`);
      }
    }
    claims = result.payload as Record<string, unknown>;
    if (typeof claims['exp'] === 'number' && claims['exp'] + leeway < now) {
      return refuse(`error validating signature: oidc: token is expired (Token Expiry: ${claims['exp']})`);
    }
    if (typeof claims['nbf'] === 'number' && claims['nbf'] - leeway > now) {
      return refuse(
        `error validating signature: oidc: current time ${now} before the nbf (not before) time: ${claims['nbf']}`,
      );
    }
  } else {
    let jwks = mount.jwtValidationPubkeys;
    if (mount.jwksUrl) {
      try {
        jwks = (await (
          await fetch(mount.jwksUrl, { signal: AbortSignal.timeout(5_000) })
        ).json()) as JSONWebKeySet;
      } catch (error) {
        return refuse(`error fetching jwks keyset: ${(error as Error).message}`);
      }
    }
    const verified = await verifyWithKeys(token, jwks ?? { keys: [] }, ['RS256']);
    if (!verified.ok) {
      return refuse(
        mount.jwksUrl
          ? 'error verifying token: failed to verify id token signature'
          : 'no known key successfully validated the token signature',
      );
    }
    claims = verified.claims;
    if (mount.boundIssuer && claims['iss'] !== mount.boundIssuer) {
      return refuse('error validating claims: validation failed, invalid issuer claim (iss)');
    }
    if (typeof claims['exp'] === 'number' && claims['exp'] + leeway < now) {
      return refuse('error validating claims: validation failed, token is expired (exp)');
    }
    if (typeof claims['nbf'] === 'number' && claims['nbf'] - leeway > now) {
      return refuse('error validating claims: validation failed, token not valid yet (nbf)');
    }
    if (typeof claims['iat'] === 'number' && claims['iat'] - leeway > now) {
      return refuse('error validating claims: validation failed, token issued in the future (iat)');
    }
  }
  if (role.bound_subject && claims['sub'] !== role.bound_subject) {
    return refuse('sub claim does not match bound subject');
  }
  const audiences =
    claims['aud'] === undefined ? [] : Array.isArray(claims['aud']) ? claims['aud'] : [claims['aud']];
  const bound = role.bound_audiences ?? [];
  if (audiences.length > 0 && bound.length === 0) {
    return refuse('error validating claims: audience claim found in JWT but no audiences bound to the role');
  }
  if (bound.length > 0 && !audiences.some((aud) => bound.includes(aud as string))) {
    return refuse('error validating claims: audience claim does not match any expected audience');
  }
  for (const [name, expected] of Object.entries(role.bound_claims ?? {})) {
    const actual = claimAt(claims, name);
    if (actual === undefined) return refuse(`error validating claims: claim "${name}" is missing`);
    const values = Array.isArray(actual) ? actual : [actual];
    const wanted = Array.isArray(expected) ? expected : [expected];
    const matches = values.some((value) =>
      wanted.some((pattern) =>
        role.bound_claims_type === 'glob' ? globMatches(pattern, String(value)) : pattern === value,
      ),
    );
    if (!matches) {
      return refuse(
        `error validating claims: claim "${name}" does not match any associated bound claim values`,
      );
    }
  }
  const alias = claims[role.user_claim];
  if (alias === undefined) return refuse(`claim "${role.user_claim}" not found in token`);
  if (typeof alias !== 'string') return refuse(`claim "${role.user_claim}" could not be converted to string`);
  const policies = [...new Set(['default', ...(role.policies ?? role.token_policies ?? [])])];
  const clientToken = `hvs.${randomBytes(18).toString('base64url')}`;
  state.issued.push({ clientToken, role: roleName, alias, policies });
  return {
    status: 200,
    body: {
      request_id: randomUUID(),
      lease_id: '',
      renewable: false,
      lease_duration: 0,
      data: null,
      wrap_info: null,
      warnings: null,
      auth: {
        client_token: clientToken,
        accessor: randomBytes(12).toString('base64url'),
        policies,
        token_policies: policies,
        metadata: { role: roleName },
        lease_duration: role.token_ttl ?? 2764800,
        renewable: true,
        entity_id: randomUUID(),
        token_type: 'service',
        orphan: true,
        mfa_requirement: null,
        num_uses: 0,
      },
    },
  };
}

/** Vault reads bound claims by name, or by JSON pointer (`/a/b`) into nested claims. */
function claimAt(claims: Record<string, unknown>, name: string): unknown {
  if (!name.startsWith('/')) return claims[name];
  let value: unknown = claims;
  for (const part of name.slice(1).split('/')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Vault's glob: `*` matches any run of characters; nothing else is special. */
function globMatches(pattern: string, value: string): boolean {
  const regex = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`, 's');
  return regex.test(value);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type CelInput, isCelError, run } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import type { JSONWebKeySet } from 'jose';
import { checkEnvidJwt, peekClaims } from '../support/envid-jwt-check.ts';
import { listenLocally, readBody } from '../support/local-server.ts';
import { verifyWithKeys } from './static-keys.ts';

/**
 * A stand-in for Google Cloud's Security Token Service (`POST /v1/token`, RFC 8693 token exchange for
 * workload identity federation) and the IAM Credentials API's `generateAccessToken` (service account
 * impersonation), enforcing Google's documented rules (src/providers/gcp.ts) and answering with Google's response
 * and error shapes. It fetches the issuer's discovery and JWKS over HTTP on every exchange (unless a
 * provider is configured with uploaded keys, as Google allows).
 */
export interface StandInProvider {
  /** `projects/N/locations/global/workloadIdentityPools/P/providers/R` */
  name: string;
  issuerUri: string;
  /** Empty: the token's aud must be `//iam.googleapis.com/<name>` (or with an `https:` prefix). */
  allowedAudiences?: string[];
  /**
   * The attribute condition, as a predicate over the token's claims and the mapped attributes
   * (Google's is CEL over `assertion`, `google` and `attribute`: providerFromDocument).
   */
  attributeCondition?: (claims: Record<string, unknown>, mapped: MappedAttributes) => boolean;
  /** CEL expressions over `assertion` by target attribute; absent: `google.subject=assertion.sub`. */
  attributeMapping?: Record<string, string>;
  disabled?: boolean;
  /** Keys uploaded to the provider (`--jwk-json-path`) instead of fetching the issuer's JWKS. */
  uploadedJwks?: JSONWebKeySet;
}

/** What the attribute mapping made of a token: `google.subject` as google.subject, `attribute.x` as attribute.x. */
export interface MappedAttributes {
  google: Record<string, unknown>;
  attribute: Record<string, unknown>;
}

export interface StandInServiceAccount {
  email: string;
  /** Members with roles/iam.workloadIdentityUser: `principal://…/subject/S` or `principalSet://…/*`. */
  workloadIdentityUsers: string[];
}

export interface IssuedGoogleToken {
  accessToken: string;
  /** The federated principal, `principal://iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/P/subject/S`. */
  principal: string;
  /** Set for a token generateAccessToken issued. */
  serviceAccount?: string;
}

export interface GoogleStsStandIn {
  url: string;
  /** What a real client would send as token_url. */
  tokenUrl: string;
  providers: Map<string, StandInProvider>;
  serviceAccounts: Map<string, StandInServiceAccount>;
  /** Every access token handed out, in order. */
  issued: IssuedGoogleToken[];
  /** Added to the stand-in's clock, to play a provider whose clock differs. */
  clockOffsetSeconds: number;
  /** Requests seen, for assertions on what clients sent. */
  requests: { path: string; form?: Record<string, string>; json?: unknown }[];
  close(): Promise<void>;
}

const maxTokenBytes = 16_384;
const maxLifetimeSeconds = 48 * 3600;

export async function startGoogleStsStandIn(): Promise<GoogleStsStandIn> {
  const standIn: Omit<GoogleStsStandIn, 'url' | 'tokenUrl' | 'close'> = {
    providers: new Map(),
    serviceAccounts: new Map(),
    issued: [],
    clockOffsetSeconds: 0,
    requests: [],
  };
  const server = createServer((request, response) => {
    handle(standIn, request, response).catch((error: Error) => {
      send(response, 500, { error: { code: 500, message: error.message, status: 'INTERNAL' } });
    });
  });
  const { port, close } = await listenLocally(server);
  const url = `http://127.0.0.1:${port}`;
  return Object.assign(standIn, { url, tokenUrl: `${url}/v1/token`, close });
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}

async function handle(
  standIn: Omit<GoogleStsStandIn, 'url' | 'tokenUrl' | 'close'>,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://stand-in').pathname;
  const body = await readBody(request);
  if (request.method === 'POST' && path === '/v1/token') {
    const form = Object.fromEntries(new URLSearchParams(body));
    standIn.requests.push({ path, form });
    const answer = await exchange(standIn, form);
    send(response, answer.status, answer.body);
    return;
  }
  if (request.method === 'POST' && path === '/v1/introspect') {
    const form = Object.fromEntries(new URLSearchParams(body));
    standIn.requests.push({ path, form });
    send(response, 200, introspect(standIn, form['token']));
    return;
  }
  const impersonation = /^\/v1\/projects\/-\/serviceAccounts\/([^/]+):generateAccessToken$/.exec(path);
  if (request.method === 'POST' && impersonation) {
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      json = undefined;
    }
    standIn.requests.push({ path, json });
    const answer = generateAccessToken(
      standIn,
      decodeURIComponent(impersonation[1]!),
      request.headers.authorization,
      json,
    );
    send(response, answer.status, answer.body);
    return;
  }
  send(response, 404, { error: { code: 404, message: `no route ${path}`, status: 'NOT_FOUND' } });
}

interface Answer {
  status: number;
  body: unknown;
}

const stsError = (error: string, description: string, status = 400): Answer => ({
  status,
  body: { error, error_description: description },
});

async function exchange(
  standIn: Omit<GoogleStsStandIn, 'url' | 'tokenUrl' | 'close'>,
  form: Record<string, string>,
): Promise<Answer> {
  if (form['grant_type'] !== 'urn:ietf:params:oauth:grant-type:token-exchange') {
    return stsError('unsupported_grant_type', `Unsupported grant type: ${form['grant_type'] ?? ''}.`);
  }
  if (form['requested_token_type'] !== 'urn:ietf:params:oauth:token-type:access_token') {
    return stsError('invalid_request', 'Invalid value for "requested_token_type".');
  }
  const tokenType = form['subject_token_type'];
  if (
    tokenType !== 'urn:ietf:params:oauth:token-type:jwt' &&
    tokenType !== 'urn:ietf:params:oauth:token-type:id_token'
  ) {
    return stsError('invalid_request', 'Invalid value for "subject_token_type".');
  }
  const match =
    /^\/\/iam\.googleapis\.com\/(projects\/\d+\/locations\/global\/workloadIdentityPools\/[^/]+\/providers\/[^/]+)$/.exec(
      form['audience'] ?? '',
    );
  if (!match) {
    return stsError(
      'invalid_request',
      'Invalid value for "audience". This value should be the full resource name of the Identity Provider. ' +
        'See https://cloud.google.com/iam/docs/reference/sts/rest/v1/TopLevel/token for the list of possible formats.',
    );
  }
  const provider = standIn.providers.get(match[1]!);
  if (!provider || provider.disabled) {
    return stsError(
      'invalid_target',
      'The target service indicated by the "audience" parameters is invalid. This might either be because the pool or ' +
        "provider is disabled or deleted or because it doesn't exist.",
    );
  }
  const token = form['subject_token'] ?? '';
  if (token === '' || token.length > maxTokenBytes) {
    return stsError(
      'invalid_grant',
      `Invalid ID Token: the token is empty or longer than ${maxTokenBytes} bytes.`,
    );
  }
  const verified = await verifyForProvider(provider, token);
  if ('error' in verified) return verified.error;
  const { claims } = verified;
  const audiences = Array.isArray(claims['aud']) ? claims['aud'] : [claims['aud']];
  const accepted =
    provider.allowedAudiences && provider.allowedAudiences.length > 0
      ? provider.allowedAudiences
      : [`//iam.googleapis.com/${provider.name}`, `https://iam.googleapis.com/${provider.name}`];
  if (!audiences.some((aud) => accepted.includes(aud as string))) {
    return stsError(
      'invalid_grant',
      `The audience in ID Token [${audiences.join(', ')}] does not match the expected audience.`,
    );
  }
  const now = Math.floor(Date.now() / 1000) + standIn.clockOffsetSeconds;
  const { iat, exp } = claims as { iat?: unknown; exp?: unknown };
  if (typeof iat !== 'number' || typeof exp !== 'number') {
    return stsError('invalid_grant', 'Invalid ID Token: iat and exp are required.');
  }
  if (iat > now) return stsError('invalid_grant', `ID Token issued at ${iat} is in the future (now ${now}).`);
  if (exp <= now) return stsError('invalid_grant', `ID Token expired at ${exp} (now ${now}).`);
  if (exp - iat >= maxLifetimeSeconds) {
    return stsError(
      'invalid_grant',
      'Invalid ID Token: its lifetime (exp - iat) must be less than 48 hours.',
    );
  }
  if (typeof claims['sub'] !== 'string' || claims['sub'] === '')
    return stsError('invalid_grant', 'Invalid ID Token: sub is required.');
  const mapped = mapAttributes(provider, claims);
  const sub = mapped.google['subject'];
  // What Google answers a google.subject mapping that gives no string (a CEL boolean, a missing claim).
  if (typeof sub !== 'string')
    return stsError('unauthorized_client', "The mapped attribute 'google.subject' must be of type STRING.");
  if (Buffer.byteLength(sub) > 127) {
    return stsError(
      'invalid_grant',
      'The size of mapped attribute google.subject exceeds the 127 bytes limit. Either modify your attribute mapping ' +
        'or the incoming assertion to produce a mapped attribute that is less than 127 bytes.',
    );
  }
  if (provider.attributeCondition && !provider.attributeCondition(claims, mapped)) {
    return stsError('unauthorized_client', 'The given credential is rejected by the attribute condition.');
  }
  const pool = provider.name.replace(/\/providers\/[^/]+$/, '');
  const accessToken = `ya29.sts-standin-${randomBytes(12).toString('hex')}`;
  standIn.issued.push({ accessToken, principal: `principal://iam.googleapis.com/${pool}/subject/${sub}` });
  return {
    status: 200,
    body: {
      access_token: accessToken,
      issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      token_type: 'Bearer',
      expires_in: Math.min(3600, exp - now),
    },
  };
}

/**
 * Google's order: the provider's issuer first, then the keys (the issuer's JWKS, or the uploaded one),
 * then the signature. Times are checked afterwards on the stand-in's own clock.
 */
async function verifyForProvider(
  provider: StandInProvider,
  token: string,
): Promise<{ claims: Record<string, unknown> } | { error: Answer }> {
  const invalid = (detail: string) => ({ error: stsError('invalid_grant', detail) });
  if (provider.uploadedJwks) {
    const claims = peekClaims(token);
    if (claims && claims['iss'] !== provider.issuerUri)
      return { error: issuerMismatch(claims['iss'], provider) };
    const verified = await verifyWithKeys(token, provider.uploadedJwks, ['RS256', 'ES256']);
    if (!verified.ok)
      return invalid(
        `Invalid ID Token: the signature could not be verified with the uploaded JWKS (${verified.detail}).`,
      );
    return { claims: verified.claims };
  }
  const result = await checkEnvidJwt(token, {
    issuer: provider.issuerUri,
    algorithms: ['RS256', 'ES256'],
    clockToleranceSeconds: Number.MAX_SAFE_INTEGER,
  });
  if (result.ok) return { claims: result.payload as Record<string, unknown> };
  switch (result.reason) {
    case 'issuer':
      return { error: issuerMismatch(result.payload?.iss, provider) };
    case 'discovery':
      return invalid(`Failed to fetch the OIDC discovery document or JWKS of the issuer: ${result.detail}.`);
    case 'key-not-found':
    case 'signature':
      return invalid(
        'Invalid ID Token: the signature could not be verified with the JWKS of the issuer (kid not found or signature mismatch).',
      );
    default:
      return invalid(`Invalid ID Token: ${result.detail}.`);
  }
}

function issuerMismatch(iss: unknown, provider: StandInProvider): Answer {
  return stsError(
    'invalid_grant',
    `The issuer in ID Token [${String(iss)}] does not match the expected issuer [${provider.issuerUri}].`,
  );
}

/** RFC 7662 token introspection, as gcloud calls it to name an external account. */
function introspect(
  standIn: Omit<GoogleStsStandIn, 'url' | 'tokenUrl' | 'close'>,
  token: string | undefined,
) {
  const issued = standIn.issued.find((entry) => entry.accessToken === token && !entry.serviceAccount);
  if (!issued) return { active: false };
  return {
    active: true,
    scope: 'https://www.googleapis.com/auth/cloud-platform',
    token_type: 'Bearer',
    username: issued.principal,
  };
}

function iamError(status: number, statusText: string, message: string): Answer {
  return { status, body: { error: { code: status, message, status: statusText } } };
}

function generateAccessToken(
  standIn: Omit<GoogleStsStandIn, 'url' | 'tokenUrl' | 'close'>,
  email: string,
  authorization: string | undefined,
  json: unknown,
): Answer {
  const bearer = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
  const caller = standIn.issued.find((token) => token.accessToken === bearer && !token.serviceAccount);
  if (!caller) {
    return iamError(
      401,
      'UNAUTHENTICATED',
      'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
    );
  }
  const scope = (json as { scope?: unknown })?.scope;
  if (!Array.isArray(scope) || scope.length === 0)
    return iamError(400, 'INVALID_ARGUMENT', 'Scope required.');
  const account = standIn.serviceAccounts.get(email);
  const allowed = account?.workloadIdentityUsers.some((member) =>
    member.startsWith('principalSet://') && member.endsWith('/*')
      ? caller.principal.startsWith(`principal://${member.slice('principalSet://'.length, -1)}subject/`)
      : member === caller.principal,
  );
  if (!allowed) {
    return iamError(
      403,
      'PERMISSION_DENIED',
      "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).",
    );
  }
  const accessToken = `ya29.sa-standin-${randomBytes(12).toString('hex')}`;
  standIn.issued.push({ accessToken, principal: caller.principal, serviceAccount: email });
  const expireTime = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d+Z$/, 'Z');
  return { status: 200, body: { accessToken, expireTime } };
}

/**
 * Each target of the provider's attribute mapping (Google's default: `google.subject=assertion.sub`),
 * CEL over `assertion`; a mapping that fails to evaluate maps nothing.
 */
function mapAttributes(provider: StandInProvider, claims: Record<string, unknown>): MappedAttributes {
  const mapped: MappedAttributes = { google: {}, attribute: {} };
  const mapping = provider.attributeMapping ?? { 'google.subject': 'assertion.sub' };
  for (const [target, expression] of Object.entries(mapping)) {
    const value = evaluate(expression, { assertion: toCel(claims) });
    const [scope, key] = target.split(/\.(.*)/s);
    if (value === undefined || !key || (scope !== 'google' && scope !== 'attribute')) continue;
    mapped[scope][key] = value;
  }
  return mapped;
}

/** A CEL value, with the strings extension Google's CEL has; undefined for a CEL error. */
function evaluate(expression: string, bindings: Record<string, CelInput>): unknown {
  const value = run(expression, bindings, { funcs: strings });
  return isCelError(value) ? undefined : value;
}

/**
 * Claims as CEL values: objects as maps and every number a double, as CEL holds JSON
 * (google.protobuf.Struct), so `assertion.iat + 1` has no overload while `assertion.iat + 1.0` has.
 */
function toCel(value: unknown): CelInput {
  if (Array.isArray(value)) return value.map(toCel) as CelInput;
  if (value && typeof value === 'object')
    return new Map(Object.entries(value).map(([key, member]) => [key, toCel(member)])) as CelInput;
  return value as CelInput;
}

/**
 * A provider from the document `gcloud iam workload-identity-pools providers describe --format=json`
 * shows: `name`, `oidc.issuerUri`, `oidc.allowedAudiences`, `attributeMapping`, `attributeCondition`
 * (CEL over `assertion`, `google` and `attribute`; a condition that fails to evaluate rejects the
 * token, as Google's does) and `disabled`.
 */
export function providerFromDocument(document: {
  name: string;
  oidc: { issuerUri: string; allowedAudiences?: string[] };
  attributeMapping?: Record<string, string>;
  attributeCondition?: string;
  disabled?: boolean;
}): StandInProvider {
  if (document.attributeMapping && !document.attributeMapping['google.subject'])
    throw new Error('INVALID_ARGUMENT: the attribute mapping must map google.subject');
  const condition = document.attributeCondition;
  return {
    name: document.name,
    issuerUri: document.oidc.issuerUri,
    ...(document.oidc.allowedAudiences ? { allowedAudiences: document.oidc.allowedAudiences } : {}),
    ...(document.attributeMapping ? { attributeMapping: document.attributeMapping } : {}),
    ...(condition
      ? {
          attributeCondition: (claims, mapped) =>
            evaluate(condition, {
              assertion: toCel(claims),
              // The mapped values are CEL values already.
              google: new Map(Object.entries(mapped.google)) as CelInput,
              attribute: new Map(Object.entries(mapped.attribute)) as CelInput,
            }) === true,
        }
      : {}),
    ...(document.disabled ? { disabled: true } : {}),
  };
}

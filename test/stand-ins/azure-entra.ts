import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { checkEnvidJwt, peekClaims } from '../support/envid-jwt-check.ts';
import { jwtPart } from '../support/jwt-parts.ts';
import { listenLocally, readBody } from '../support/local-server.ts';

/**
 * A stand-in for Entra ID's v2.0 endpoints used by workload identity federation, over https (the Azure
 * SDK refuses other authorities), with app registrations and their federated identity credentials as
 * configuration. It follows Entra's documented behaviour: MSAL first reads
 * `<authority>/<tenant>/v2.0/.well-known/openid-configuration`, then posts client credentials with a
 * jwt-bearer client assertion to its token_endpoint. The assertion must match a credential's issuer,
 * subject and audience exactly (case-sensitive), be RS256-signed with a key from the issuer's JWKS
 * (fetched over HTTP with discovery) and be within its time range. Answers and errors have Entra's shape
 * (`error`, `error_description: "AADSTS<code>: …"`, `error_codes`, `timestamp`, `trace_id`,
 * `correlation_id`). Real Entra requires an https issuer reachable from the internet; envid's
 * http://127.0.0.1 issuer is accepted here because envid runs on plain HTTP in tests.
 */
export interface FederatedIdentityCredential {
  name: string;
  issuer: string;
  subject: string;
  audiences: string[];
  /** Just created: Entra answers AADSTS70021 until it has propagated. */
  propagating?: boolean;
}

export interface EntraApp {
  tenantId: string;
  /** The application (client) ID. */
  appId: string;
  /** The object ID, which is not a client ID (AADSTS700016 when used as one). */
  objectId: string;
  federatedCredentials: FederatedIdentityCredential[];
  /**
   * Answer this AADSTS code (after the app lookup) instead of checking the assertion: for the codes a
   * valid envid token cannot cause here (700024 expired, 700027/900384 signature, 7000272 unknown key,
   * 90061 issuer unreachable). The stand-in reaches each of them itself for forged tokens.
   */
  refuseWith?: number;
}

export interface EntraStandIn {
  url: string;
  apps: EntraApp[];
  /** Token requests' form fields, for assertions. */
  tokenRequests: Record<string, string>[];
  /** Added to the stand-in's clock, to play an Entra whose clock is ahead (an expired assertion). */
  clockOffsetSeconds: number;
  close(): Promise<void>;
}

const ficNamePattern = /^[A-Za-z0-9][A-Za-z0-9_-]{2,119}$/;

/** The rules Microsoft Graph applies when a federated identity credential is created. */
export function checkFederatedCredentials(credentials: FederatedIdentityCredential[]): void {
  if (credentials.length > 20) throw new Error('at most 20 federated identity credentials per application');
  const pairs = new Set<string>();
  for (const credential of credentials) {
    if (!ficNamePattern.test(credential.name)) throw new Error(`invalid credential name ${credential.name}`);
    if (credential.issuer.length > 600 || credential.subject.length > 600) {
      throw new Error('issuer and subject are at most 600 characters');
    }
    if (credential.audiences.length !== 1) throw new Error('exactly one audience per credential');
    const pair = `${credential.issuer}\n${credential.subject}`;
    if (pairs.has(pair)) throw new Error('the issuer and subject pair must be unique');
    pairs.add(pair);
  }
}

export async function startEntraStandIn(
  tls: { key: string; cert: string },
  apps: EntraApp[],
): Promise<EntraStandIn> {
  for (const app of apps) checkFederatedCredentials(app.federatedCredentials);
  const tokenRequests: Record<string, string>[] = [];
  const standIn = { apps, tokenRequests, clockOffsetSeconds: 0 };
  let url = '';
  const server: Server = createServer(tls, (request, response) => {
    void handle(request, response).catch((error) => response.writeHead(500).end(String(error)));
  });
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? '/', url).pathname;
    const send = (status: number, body: object) => {
      response.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
      });
      response.end(JSON.stringify(body));
    };
    const discovery = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(path);
    if (request.method === 'GET' && discovery) {
      const tenant = decodeURIComponent(discovery[1]!);
      if (!apps.some((app) => app.tenantId === tenant)) {
        return send(
          400,
          entraError(
            url,
            'invalid_tenant',
            90002,
            `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
          ),
        );
      }
      const base = `${url}/${tenant}`;
      return send(200, {
        token_endpoint: `${base}/oauth2/v2.0/token`,
        token_endpoint_auth_methods_supported: [
          'client_secret_post',
          'private_key_jwt',
          'client_secret_basic',
        ],
        jwks_uri: `${base}/discovery/v2.0/keys`,
        response_modes_supported: ['query', 'fragment', 'form_post'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        issuer: `${base}/v2.0`,
        request_uri_parameter_supported: false,
        userinfo_endpoint: 'https://graph.microsoft.com/oidc/userinfo',
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
        http_logout_supported: true,
        frontchannel_logout_supported: true,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf'],
        tenant_region_scope: 'EU',
        cloud_instance_name: 'microsoftonline.com',
      });
    }
    const token = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(path);
    if (request.method === 'POST' && token) {
      const form = Object.fromEntries(new URLSearchParams(await readBody(request)));
      tokenRequests.push(form);
      const answer = await exchange(
        url,
        decodeURIComponent(token[1]!),
        form,
        apps,
        standIn.clockOffsetSeconds,
      );
      return send(answer.status, answer.body);
    }
    send(404, { error: 'not_found' });
  };
  const { port, close } = await listenLocally(server);
  url = `https://127.0.0.1:${port}`;
  return Object.assign(standIn, { url, close });
}

async function exchange(
  url: string,
  tenant: string,
  form: Record<string, string>,
  apps: EntraApp[],
  clockOffsetSeconds: number,
): Promise<{ status: number; body: object }> {
  const fail = (status: number, error: string, code: number, message: string) => ({
    status,
    body: entraError(url, error, code, message),
  });
  if (!apps.some((app) => app.tenantId === tenant)) {
    return fail(
      400,
      'invalid_request',
      90002,
      `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
    );
  }
  if (form['grant_type'] !== 'client_credentials') {
    return fail(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
  }
  if (!form['scope']?.endsWith('/.default')) {
    return fail(
      400,
      'invalid_scope',
      1002012,
      `The provided value for scope ${form['scope']} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    );
  }
  if (
    form['client_assertion_type'] !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' ||
    !form['client_assertion']
  ) {
    return fail(
      401,
      'invalid_client',
      7000218,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    );
  }
  const clientId = form['client_id'] ?? '';
  const app = apps.find((candidate) => candidate.tenantId === tenant && candidate.appId === clientId);
  if (!app) {
    return fail(
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    );
  }
  if (app.refuseWith !== undefined) {
    const [error, message] = checkFailures[app.refuseWith] ?? ['invalid_client', 'Refused.'];
    return fail(app.refuseWith === 50027 ? 400 : 401, error, app.refuseWith, message);
  }
  const assertion = form['client_assertion'];
  const claims = peekClaims(assertion);
  if (!claims) return fail(400, 'invalid_request', 50027, 'JWT token is invalid or malformed.');
  const iss = String(claims.iss);
  const sub = String(claims.sub);
  const auds = Array.isArray(claims.aud) ? claims.aud : [String(claims.aud)];
  const noMatch = `Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation`;
  const live = app.federatedCredentials.filter((credential) => !credential.propagating);
  const byIssuer = live.filter((credential) => credential.issuer === iss);
  const bySubject = byIssuer.filter((credential) => credential.subject === sub);
  const matching = bySubject.filter((credential) => auds.includes(credential.audiences[0]!));
  if (
    live.length === 0 ||
    (matching.length === 0 &&
      app.federatedCredentials.some((c) => c.propagating && c.issuer === iss && c.subject === sub))
  ) {
    return fail(
      401,
      'invalid_client',
      70021,
      `No matching federated identity record found for presented assertion. Assertion Issuer: '${iss}'. Assertion Subject: '${sub}'. Assertion Audience: '${auds.join(',')}'. https://learn.microsoft.com/entra/workload-id/workload-identity-federation`,
    );
  }
  if (byIssuer.length === 0)
    return fail(
      401,
      'invalid_client',
      700211,
      `No matching federated identity record found for presented assertion issuer '${iss}'. ${noMatch}`,
    );
  if (bySubject.length === 0)
    return fail(
      401,
      'invalid_client',
      700213,
      `No matching federated identity record found for presented assertion subject '${sub}'. ${noMatch}`,
    );
  if (matching.length === 0)
    return fail(
      401,
      'invalid_client',
      700212,
      `No matching federated identity record found for presented assertion audience '${auds.join(',')}'. ${noMatch}`,
    );
  const check = await checkEnvidJwt(assertion, { issuer: iss, algorithms: ['RS256'], clockOffsetSeconds });
  if (!check.ok) {
    const code = checkFailureCodes[check.reason] ?? 700027;
    const [error, message] = checkFailures[code]!;
    return fail(code === 50027 ? 400 : 401, error, code, message);
  }
  return {
    status: 200,
    body: {
      token_type: 'Bearer',
      expires_in: 3599,
      ext_expires_in: 3599,
      access_token: fakeAccessToken(url, tenant, app.appId, form['scope']!),
    },
  };
}

/** Entra's code for each failure of the shared token check. */
const checkFailureCodes: Record<string, number> = {
  discovery: 90061,
  'key-not-found': 7000272,
  expired: 700024,
  'not-yet-valid': 700024,
  'time-claims': 700024,
  malformed: 50027,
  algorithm: 700027,
  issuer: 700211,
  audience: 700212,
  signature: 700027,
};

/** Entra's `error` and message for the assertion-check codes (real wording, details left out). */
const checkFailures: Record<number, [string, string]> = {
  90061: ['invalid_client', 'Request to External OIDC endpoint failed.'],
  7000272: [
    'invalid_client',
    "The key used to sign the client assertion was not found in the issuer's metadata.",
  ],
  700024: ['invalid_client', 'Client assertion is not within its valid time range.'],
  700027: ['invalid_client', 'Client assertion failed signature validation.'],
  900384: ['invalid_client', 'JWT token failed signature validation.'],
  50027: ['invalid_request', 'JWT token is invalid or malformed.'],
  700211: ['invalid_client', 'No matching federated identity record found for presented assertion issuer.'],
  700212: ['invalid_client', 'No matching federated identity record found for presented assertion audience.'],
};

/** An opaque-to-the-client access token shaped like Entra's (a JWT the stand-in never verifies). */
function fakeAccessToken(url: string, tenant: string, appId: string, scope: string): string {
  const now = Math.floor(Date.now() / 1000);
  return `${jwtPart({ typ: 'JWT', alg: 'RS256', kid: 'stand-in' })}.${jwtPart({ aud: scope.replace(/\/\.default$/, ''), iss: `${url}/${tenant}/`, iat: now, exp: now + 3599, appid: appId, tid: tenant })}.${randomBytes(32).toString('base64url')}`;
}

function entraError(url: string, error: string, code: number, message: string) {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date()
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
  return {
    error,
    error_description: `AADSTS${code}: ${message} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `${url}/error?code=${code}`,
  };
}

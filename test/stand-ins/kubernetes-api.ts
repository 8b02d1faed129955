import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { isCelError, isCelList, parse, run } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { parse as parseYaml } from 'yaml';
import { checkEnvidJwt, peekClaims } from '../support/envid-jwt-check.ts';
import { listenLocally, readBody } from '../support/local-server.ts';

/**
 * A stand-in for a kube-apiserver's structured authentication (`--authentication-config`): JWT
 * authenticators of an AuthenticationConfiguration (apiserver.config.k8s.io/v1) verify bearer tokens as
 * the Kubernetes documentation "Authenticating: JWT authenticator" says, and `SelfSubjectReview` (what
 * `kubectl auth whoami` sends) answers the mapped user; anything refused is a bare 401 `Unauthorized`
 * Status, the reason only in `log` (the API server's log). CEL by @bufbuild/cel with the strings
 * extension, as the API server's CEL environment has it (cel-es 0.6 has no optional syntax `.?`: such
 * an expression is refused when the configuration is loaded).
 *
 * Test mode: envid in tests is http://127.0.0.1:port, so issuer.url may be http here (a real API server
 * refuses anything but https). issuer.discoveryURL and certificateAuthority are not supported.
 */
export interface PrefixedClaimOrExpression {
  claim?: string;
  prefix?: string;
  expression?: string;
}

export interface JwtAuthenticator {
  issuer: { url: string; audiences: string[]; audienceMatchPolicy?: 'MatchAny'; discoveryURL?: string };
  claimValidationRules?: { claim?: string; requiredValue?: string; expression?: string; message?: string }[];
  claimMappings: {
    username: PrefixedClaimOrExpression;
    groups?: PrefixedClaimOrExpression;
    uid?: { claim?: string; expression?: string };
    extra?: { key: string; valueExpression: string }[];
  };
  userValidationRules?: { expression: string; message?: string }[];
}

export interface AuthenticationConfiguration {
  apiVersion: string;
  kind: 'AuthenticationConfiguration';
  jwt: JwtAuthenticator[];
}

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export interface KubernetesApiStandIn {
  url: string;
  /** Replaced with `configure`, as the API server reloads the file when it changes. */
  configuration: AuthenticationConfiguration;
  /** Each bearer token the server was sent and who it authenticated as (undefined: refused). */
  requests: { path: string; token?: string; user?: UserInfo }[];
  /** Why tokens were refused, as the API server logs it. */
  log: string[];
  /** Added to the stand-in's clock, to play an API server that sees the token after its exp. */
  clockOffsetSeconds: number;
  configure(configuration: AuthenticationConfiguration | string): void;
  close(): Promise<void>;
}

/** Loads and validates the configuration as the API server does at start; throws naming the field. */
export function loadAuthenticationConfiguration(
  input: AuthenticationConfiguration | string,
): AuthenticationConfiguration {
  const config = (typeof input === 'string' ? parseYaml(input) : input) as AuthenticationConfiguration;
  if (
    config?.kind !== 'AuthenticationConfiguration' ||
    !/^apiserver\.config\.k8s\.io\/v1(beta1)?$/.test(config.apiVersion)
  ) {
    throw new Error('expected kind AuthenticationConfiguration, apiVersion apiserver.config.k8s.io/v1');
  }
  (config.jwt ?? []).forEach((authenticator, index) => {
    const at = `jwt[${index}]`;
    const { issuer, claimMappings } = authenticator;
    if (!/^https?:\/\//.test(issuer?.url ?? '')) throw new Error(`${at}.issuer.url: must be https`);
    if (issuer.discoveryURL !== undefined)
      throw new Error(`${at}.issuer.discoveryURL: not supported by the stand-in`);
    if (!issuer.audiences?.length) throw new Error(`${at}.issuer.audiences: at least one is required`);
    if (issuer.audiences.length > 1 && issuer.audienceMatchPolicy !== 'MatchAny') {
      throw new Error(`${at}.issuer.audienceMatchPolicy: must be MatchAny for multiple audiences`);
    }
    for (const [name, mapping] of [
      ['username', claimMappings?.username],
      ['groups', claimMappings?.groups],
    ] as const) {
      if (mapping === undefined) {
        if (name === 'username') throw new Error(`${at}.claimMappings.username: required`);
        continue;
      }
      if ((mapping.claim === undefined) === (mapping.expression === undefined)) {
        throw new Error(`${at}.claimMappings.${name}: exactly one of claim or expression`);
      }
      if (mapping.claim !== undefined && mapping.prefix === undefined) {
        throw new Error(`${at}.claimMappings.${name}.prefix: required when claim is set (use "" for none)`);
      }
    }
    const expressions = [
      ...(authenticator.claimValidationRules ?? []).map((rule) => rule.expression),
      claimMappings.username.expression,
      claimMappings.groups?.expression,
      claimMappings.uid?.expression,
      ...(claimMappings.extra ?? []).map((extra) => extra.valueExpression),
      ...(authenticator.userValidationRules ?? []).map((rule) => rule.expression),
    ];
    for (const expression of expressions) {
      if (expression === undefined) continue;
      try {
        parse(expression);
      } catch (error) {
        throw new Error(`${at}: compilation failed: ${(error as Error).message}`);
      }
    }
  });
  return config;
}

export async function startKubernetesApiStandIn(options: {
  configuration: AuthenticationConfiguration | string;
  /** Serve https with this key and certificate (test/support/test-ca.ts), else http. */
  tls?: { key: string; cert: string };
}): Promise<KubernetesApiStandIn> {
  const state = {
    configuration: loadAuthenticationConfiguration(options.configuration),
    requests: [] as KubernetesApiStandIn['requests'],
    log: [] as string[],
    clockOffsetSeconds: 0,
  };
  const handler = (request: IncomingMessage, response: ServerResponse) => {
    handle(state, request, response).catch((error: Error) =>
      status(response, 500, 'InternalError', error.message),
    );
  };
  const server = options.tls ? createHttpsServer(options.tls, handler) : createHttpServer(handler);
  const { port, close } = await listenLocally(server);
  return Object.assign(state, {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    configure(configuration: AuthenticationConfiguration | string) {
      state.configuration = loadAuthenticationConfiguration(configuration);
    },
    close,
  });
}

type State = Pick<KubernetesApiStandIn, 'configuration' | 'requests' | 'log' | 'clockOffsetSeconds'>;

function status(response: ServerResponse, code: number, reason: string, message: string): void {
  response.writeHead(code, { 'content-type': 'application/json' });
  response.end(
    JSON.stringify({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message,
      reason,
      code,
    }),
  );
}

async function handle(state: State, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://stand-in').pathname;
  const body = await readBody(request);
  const header = request.headers.authorization ?? '';
  const token = /^Bearer (\S+)$/.exec(header)?.[1];
  const user = token ? await authenticate(state, token) : undefined;
  state.requests.push({ path, ...(token ? { token } : {}), ...(user ? { user } : {}) });
  // Anonymous requests are refused too (--anonymous-auth=false): a token is all this stand-in serves.
  if (!user) return status(response, 401, 'Unauthorized', 'Unauthorized');
  const review = /^\/apis\/authentication\.k8s\.io\/(v1|v1beta1)\/selfsubjectreviews$/.exec(path);
  if (request.method === 'POST' && review) {
    // kubectl sends built-in types as protobuf (the "k8s\0" envelope), other clients JSON; the review
    // carries nothing but its kind, so either is taken as it is and the answer is JSON (kubectl accepts both).
    const isProtobuf =
      (request.headers['content-type'] ?? '').includes('protobuf') && body.startsWith('k8s\u0000');
    const kind = isProtobuf ? 'SelfSubjectReview' : (JSON.parse(body || '{}') as { kind?: string }).kind;
    if (kind !== 'SelfSubjectReview')
      return status(response, 400, 'BadRequest', 'expected a SelfSubjectReview');
    response.writeHead(201, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        kind: 'SelfSubjectReview',
        apiVersion: `authentication.k8s.io/${review[1]}`,
        metadata: { creationTimestamp: null },
        status: { userInfo: user },
      }),
    );
    return;
  }
  status(response, 404, 'NotFound', 'the server could not find the requested resource');
}

/** The user the token authenticates as, or undefined (the reason in the log). */
async function authenticate(state: State, token: string): Promise<UserInfo | undefined> {
  const refuse = (reason: string) => {
    state.log.push(reason);
    return undefined;
  };
  const iss = peekClaims(token)?.iss;
  // The authenticator is chosen by the token's (unverified) iss; none for it: no JWT authenticator applies.
  const authenticator = state.configuration.jwt.find((candidate) => candidate.issuer.url === iss);
  if (!authenticator) return refuse(`no JWT authenticator for issuer ${String(iss)}`);
  const checked = await checkEnvidJwt(token, {
    issuer: authenticator.issuer.url,
    algorithms: ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512'],
    clockOffsetSeconds: state.clockOffsetSeconds,
  });
  if (!checked.ok) return refuse(`oidc: verify token: ${checked.reason}: ${checked.detail}`);
  const claims = checked.payload as Record<string, unknown>;
  const audiences = Array.isArray(claims['aud']) ? claims['aud'] : [claims['aud']];
  if (!authenticator.issuer.audiences.some((audience) => audiences.includes(audience))) {
    return refuse(
      `oidc: verify token: expected audience in ${JSON.stringify(authenticator.issuer.audiences)} got ${JSON.stringify(audiences)}`,
    );
  }
  const bindings = { claims: toCel(claims) };
  for (const rule of authenticator.claimValidationRules ?? []) {
    if (rule.claim !== undefined) {
      const value = claims[rule.claim];
      if (typeof value !== 'string')
        return refuse(`oidc: required claim ${rule.claim} not present in ID token`);
      if (value !== rule.requiredValue) {
        return refuse(
          `oidc: required claim ${rule.claim} value does not match. Got = ${value}, want = ${rule.requiredValue}`,
        );
      }
      continue;
    }
    const result = evaluate(rule.expression!, bindings);
    if (result !== true) {
      return refuse(
        `oidc: error evaluating claim validation expression: ${rule.message ?? `expression '${rule.expression}' resulted in error or false`}${isFailure(result) ? `: ${result.error}` : ''}`,
      );
    }
  }
  const { claimMappings } = authenticator;
  const username = mapString(claimMappings.username, claims, bindings);
  if (typeof username !== 'string' || username === '') {
    return refuse(
      `oidc: error evaluating username: ${username === '' ? 'username is empty' : username === undefined ? 'no value' : username.error}`,
    );
  }
  if (
    claimMappings.username.claim === 'email' &&
    claims['email_verified'] !== undefined &&
    claims['email_verified'] !== true
  ) {
    return refuse('oidc: email not verified');
  }
  const user: UserInfo = { username, groups: [] };
  if (claimMappings.groups) {
    const groups = mapList(claimMappings.groups, claims, bindings);
    if (!Array.isArray(groups)) return refuse(`oidc: error evaluating groups: ${groups.error}`);
    user.groups = groups;
  }
  if (claimMappings.uid) {
    const uid = mapString({ ...claimMappings.uid, prefix: '' }, claims, bindings);
    if (typeof uid !== 'string')
      return refuse(`oidc: error evaluating uid: ${uid === undefined ? 'no value' : uid.error}`);
    if (uid !== '') user.uid = uid;
  }
  for (const { key, valueExpression } of claimMappings.extra ?? []) {
    const values = listOf(evaluate(valueExpression, bindings));
    if (!Array.isArray(values)) return refuse(`oidc: error evaluating extra ${key}: ${values.error}`);
    if (values.length > 0) user.extra = { ...user.extra, [key]: values };
  }
  for (const rule of authenticator.userValidationRules ?? []) {
    const result = evaluate(rule.expression, { user: toCel({ extra: {}, uid: '', ...user }) });
    if (result !== true)
      return refuse(`oidc: error evaluating user info validation rule: ${rule.message ?? rule.expression}`);
  }
  // Every authenticated user is in system:authenticated (what RBAC's default bindings use).
  user.groups = [...user.groups, 'system:authenticated'];
  return user;
}

type Failure = { error: string };

function mapString(
  mapping: PrefixedClaimOrExpression,
  claims: Record<string, unknown>,
  bindings: Record<string, unknown>,
): string | Failure | undefined {
  if (mapping.claim !== undefined) {
    const value = claims[mapping.claim];
    if (value === undefined) return { error: `claim not present: ${mapping.claim}` };
    if (typeof value !== 'string') return { error: `claim ${mapping.claim} is not a string` };
    return `${mapping.prefix ?? ''}${value}`;
  }
  const value = evaluate(mapping.expression!, bindings);
  return typeof value === 'string'
    ? value
    : { error: `expression must evaluate to a string: ${String(value)}` };
}

function mapList(
  mapping: PrefixedClaimOrExpression,
  claims: Record<string, unknown>,
  bindings: Record<string, unknown>,
): string[] | Failure {
  if (mapping.claim !== undefined) {
    const value = claims[mapping.claim];
    if (value === undefined) return [];
    const values = listOf(value);
    return Array.isArray(values) ? values.map((group) => `${mapping.prefix ?? ''}${group}`) : values;
  }
  return listOf(evaluate(mapping.expression!, bindings));
}

/** A string or a list of strings as a list; anything else a failure. */
function listOf(value: unknown): string[] | Failure {
  if (isFailure(value)) return value;
  if (typeof value === 'string') return value === '' ? [] : [value];
  const items = isCelList(value) ? [...value] : Array.isArray(value) ? value : undefined;
  if (items?.every((item) => typeof item === 'string')) return items as string[];
  return { error: `must evaluate to a string or a list of strings: ${String(value)}` };
}

const isFailure = (value: unknown): value is Failure =>
  typeof value === 'object' && value !== null && 'error' in value;

/** The expression's value; a CEL error (a missing claim too) as a Failure, which no rule takes for true. */
function evaluate(expression: string, bindings: Record<string, unknown>): unknown {
  const result = run(expression, bindings as never, { funcs: strings });
  return isCelError(result) ? { error: `CEL error: ${result.message}` } : result;
}

/** JSON claims as CEL values: objects as maps, numbers as doubles (as the API server decodes JSON). */
function toCel(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toCel);
  if (typeof value === 'object' && value !== null) {
    return new Map(Object.entries(value).map(([key, item]) => [key, toCel(item)]));
  }
  return value;
}

import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { checkEnvidJwt, peekClaims } from '../support/envid-jwt-check.ts';
import { listenLocally, readBody } from '../support/local-server.ts';

/**
 * A stand-in for AWS STS AssumeRoleWithWebIdentity (Query API over HTTP, XML answers), with IAM's OIDC
 * providers and role trust policies as configuration. It follows STS's documented behaviour: the token's `iss`
 * must name a registered OIDC provider (real IAM requires https; http://127.0.0.1 is accepted here
 * because envid runs on plain HTTP in tests), its `aud` must be one of that provider's client IDs, its
 * signature is checked with the issuer's discovery + JWKS fetched over HTTP, then the role's trust
 * policy (principal, `StringEquals`/`StringLike` on `<provider>:sub` and `:aud`).
 */
export interface StsOidcProvider {
  /** The issuer URL exactly as `iss` (IAM stores it without the scheme). */
  url: string;
  clientIds: string[];
}

export interface StsTrustCondition {
  operator: 'StringEquals' | 'StringLike';
  /** `sub` or `aud`, as `<provider>:sub` in the policy. */
  claim: 'sub' | 'aud';
  values: string[];
}

export interface StsRole {
  arn: string;
  /** The issuer URL whose IAM OIDC provider the trust policy names as Federated principal. */
  trustedIssuer: string;
  conditions: StsTrustCondition[];
  /** Default 3,600 s, like IAM's default MaxSessionDuration. */
  maxSessionDuration?: number;
  /**
   * The trust policy's actions for the federated principal; default `sts:AssumeRoleWithWebIdentity` only.
   * A token carrying session tags also needs `sts:TagSession`.
   */
  actions?: string[];
  /**
   * Answer this error code instead of evaluating (for the codes a valid envid token cannot cause here:
   * ExpiredTokenException, IDPCommunicationError, IDPRejectedClaim, MalformedPolicyDocument).
   */
  refuseWith?: string;
}

/** A session STS issued: the role, the session tags it carries (`aws:PrincipalTag/<key>`) and which are transitive. */
export interface StsSession {
  arn: string;
  tags: Record<string, string>;
  transitiveTagKeys: string[];
}

export interface StsStandIn {
  url: string;
  providers: StsOidcProvider[];
  roles: StsRole[];
  /** Every session issued, in order. */
  sessions: StsSession[];
  /** Every request's parameters, for assertions. */
  requests: Record<string, string>[];
  /** Added to the stand-in's clock, to play an STS whose clock is ahead (an expired token). */
  clockOffsetSeconds: number;
  close(): Promise<void>;
}

const ns = 'https://sts.amazonaws.com/doc/2011-06-15/';
const sessionNamePattern = /^[\w+=,.@-]{2,64}$/;

/** Real STS's messages for the codes a role can be told to answer with. */
const forcedMessages: Record<string, [number, string]> = {
  ExpiredTokenException: [
    400,
    'Token expired: current date/time 1764000000 must be before the expiration date/time 1763990000',
  ],
  IDPCommunicationError: [
    400,
    'The request could not be fulfilled because the identity provider (IDP) that was asked to verify the incoming identity token could not be reached.',
  ],
  IDPRejectedClaim: [403, 'The identity provider rejected the claim.'],
  MalformedPolicyDocument: [400, 'The policy is not in the valid JSON format.'],
};

/**
 * IAM's rules for CreateOpenIDConnectProvider's Url: https, no query, and no port ("The URL should not
 * contain a port number"). The stand-in's test mode also takes http://127.0.0.1:<port>, envid's address
 * in tests. Throws as IAM refuses the provider.
 */
export function checkOidcProviderUrl(url: string): void {
  const parsed = new URL(url);
  if (parsed.hostname === '127.0.0.1' && parsed.protocol === 'http:') return;
  if (parsed.protocol !== 'https:') throw new Error(`IAM OIDC provider URL ${url} must begin with https://`);
  if (parsed.port !== '') throw new Error(`IAM OIDC provider URL ${url} must not contain a port number`);
  if (parsed.search !== '') throw new Error(`IAM OIDC provider URL ${url} must not have a query`);
}

export async function startStsStandIn(
  config: { providers?: StsOidcProvider[]; roles?: StsRole[] } = {},
): Promise<StsStandIn> {
  for (const provider of config.providers ?? []) checkOidcProviderUrl(provider.url);
  const standIn = {
    providers: config.providers ?? [],
    roles: config.roles ?? [],
    requests: [] as Record<string, string>[],
    sessions: [] as StsSession[],
    clockOffsetSeconds: 0,
  };
  const server: Server = createServer((request, response) => {
    void handle(request, response).catch((error) => {
      response.writeHead(500).end(String(error));
    });
  });
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const body = await readBody(request);
    const params = Object.fromEntries(
      new URLSearchParams(request.method === 'POST' ? body : ((request.url ?? '').split('?')[1] ?? '')),
    );
    standIn.requests.push(params);
    const answer = await assumeRole(params, standIn);
    response.writeHead(answer.status, { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() });
    response.end(answer.xml);
  };
  const { port, close } = await listenLocally(server);
  return Object.assign(standIn, { url: `http://127.0.0.1:${port}`, close });
}

async function assumeRole(
  params: Record<string, string>,
  standIn: {
    providers: StsOidcProvider[];
    roles: StsRole[];
    sessions: StsSession[];
    clockOffsetSeconds: number;
  },
): Promise<{ status: number; xml: string }> {
  if (params['Action'] !== 'AssumeRoleWithWebIdentity' || params['Version'] !== '2011-06-15') {
    return error(
      400,
      'InvalidAction',
      `Could not find operation ${params['Action']} for version ${params['Version']}`,
    );
  }
  const { RoleArn: roleArn = '', RoleSessionName: sessionName = '', WebIdentityToken: token = '' } = params;
  const duration = params['DurationSeconds'] === undefined ? 3600 : Number(params['DurationSeconds']);
  if (!sessionNamePattern.test(sessionName)) {
    return error(
      400,
      'ValidationError',
      `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
    );
  }
  if (!Number.isInteger(duration) || duration < 900 || duration > 43_200) {
    return error(
      400,
      'ValidationError',
      `1 validation error detected: Value '${params['DurationSeconds']}' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200`,
    );
  }
  if (token.length < 4 || token.length > 20_000) {
    return error(
      400,
      'ValidationError',
      "1 validation error detected: Value at 'webIdentityToken' failed to satisfy constraint: Member must have length less than or equal to 20000",
    );
  }
  const role = standIn.roles.find((candidate) => candidate.arn === roleArn);
  const forced = role?.refuseWith;
  if (forced) {
    const [status, message] = forcedMessages[forced] ?? [400, forced];
    return error(status, forced, message);
  }
  const claims = peekClaims(token);
  if (!claims)
    return error(
      400,
      'InvalidIdentityToken',
      'The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)',
    );
  const iss = String(claims.iss ?? '');
  const provider = standIn.providers.find((candidate) => candidate.url === iss);
  if (!provider)
    return error(400, 'InvalidIdentityToken', `No OpenIDConnect provider found in your account for ${iss}`);
  const auds = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  const aud = auds.find((value) => typeof value === 'string' && provider.clientIds.includes(value));
  if (aud === undefined) return error(400, 'InvalidIdentityToken', 'Incorrect token audience');
  const check = await checkEnvidJwt(token, {
    issuer: iss,
    algorithms: ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512'],
    clockOffsetSeconds: standIn.clockOffsetSeconds,
  });
  if (!check.ok) {
    switch (check.reason) {
      case 'discovery':
        return error(400, 'IDPCommunicationError', forcedMessages['IDPCommunicationError']![1]);
      case 'expired':
        return error(
          400,
          'ExpiredTokenException',
          `Token expired: current date/time ${Math.floor(Date.now() / 1000) + standIn.clockOffsetSeconds} must be before the expiration date/time ${claims.exp}`,
        );
      case 'key-not-found':
        return error(
          400,
          'InvalidIdentityToken',
          "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements",
        );
      default:
        return error(
          400,
          'InvalidIdentityToken',
          'The web identity token that was passed could not be validated by AWS. Get a new identity token from the identity provider and then retry the request.',
        );
    }
  }
  const values = { sub: String(claims.sub ?? ''), aud };
  const trusted =
    role !== undefined &&
    role.trustedIssuer === iss &&
    role.conditions.every((condition) =>
      condition.values.some((pattern) =>
        condition.operator === 'StringEquals'
          ? pattern === values[condition.claim]
          : globMatch(pattern, values[condition.claim]),
      ),
    );
  if (!trusted) return error(403, 'AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity');
  const tags = readSessionTags(claims[tagsClaim]);
  if ('invalid' in tags) return error(400, 'InvalidIdentityToken', tags.invalid);
  const tagged = Object.keys(tags.tags).length > 0;
  if (tagged && !(role.actions ?? ['sts:AssumeRoleWithWebIdentity']).includes('sts:TagSession')) {
    return error(403, 'AccessDenied', 'Not authorized to perform sts:TagSession');
  }
  if (duration > (role.maxSessionDuration ?? 3600)) {
    return error(
      400,
      'ValidationError',
      'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    );
  }
  const roleName = roleArn.split('/').pop()!;
  const account = roleArn.split(':')[4];
  const roleId = `AROA${randomBytes(8).toString('hex').toUpperCase()}`;
  const expiration = new Date(Date.now() + duration * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const arn = `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`;
  standIn.sessions.push({ arn, ...tags });
  // STS answers PackedPolicySize (percent of the packed limit) when session tags or policies were passed.
  const packed = tagged
    ? `\n    <PackedPolicySize>${Math.min(99, Math.ceil(JSON.stringify(tags.tags).length / 20))}</PackedPolicySize>`
    : '';
  return {
    status: 200,
    xml: `<AssumeRoleWithWebIdentityResponse xmlns="${ns}">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>${escapeXml(values.sub)}</SubjectFromWebIdentityToken>
    <Audience>${escapeXml(aud)}</Audience>
    <AssumedRoleUser>
      <Arn>${arn}</Arn>
      <AssumedRoleId>${roleId}:${sessionName}</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <SessionToken>${randomBytes(48).toString('base64')}</SessionToken>
      <SecretAccessKey>${randomBytes(30).toString('base64')}</SecretAccessKey>
      <Expiration>${expiration}</Expiration>
      <AccessKeyId>ASIA${randomBytes(8).toString('hex').toUpperCase()}</AccessKeyId>
    </Credentials>
    <Provider>${escapeXml(iss.replace(/^https?:\/\//, ''))}</Provider>${packed}
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata>
    <RequestId>${randomUUID()}</RequestId>
  </ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>
`,
  };
}

const tagsClaim = 'https://aws.amazon.com/tags';
const tagText = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/**
 * The session tags of a web identity token, by STS's rules: `principal_tags` maps each key to a list
 * holding its value (STS uses the first), at most 50 tags, keys 1-128 and values 0-256 characters of
 * letters, digits, spaces and `_ . : / = + - @`, no `aws:` prefix, keys unique ignoring case;
 * `transitive_tag_keys` names some of those keys.
 */
function readSessionTags(
  claim: unknown,
): { tags: Record<string, string>; transitiveTagKeys: string[] } | { invalid: string } {
  if (claim === undefined) return { tags: {}, transitiveTagKeys: [] };
  const invalid = (why: string) => ({
    invalid: `The session tags in the web identity token are not valid: ${why}`,
  });
  if (typeof claim !== 'object' || claim === null || Array.isArray(claim))
    return invalid(`${tagsClaim} must be an object`);
  const { principal_tags: principal = {}, transitive_tag_keys: transitive = [] } = claim as Record<
    string,
    unknown
  >;
  if (typeof principal !== 'object' || principal === null || Array.isArray(principal))
    return invalid('principal_tags must be an object');
  const entries = Object.entries(principal as Record<string, unknown>);
  if (entries.length > 50) return invalid('more than 50 session tags');
  const tags: Record<string, string> = {};
  const lowered = new Set<string>();
  for (const [key, values] of entries) {
    const value = Array.isArray(values) ? values[0] : values;
    if (typeof value !== 'string') return invalid(`the value of ${key} must be a string`);
    if ([...key].length < 1 || [...key].length > 128 || !tagText.test(key))
      return invalid(`tag key ${key} does not satisfy the constraints`);
    if (key.toLowerCase().startsWith('aws:')) return invalid(`tag key ${key} uses the reserved prefix aws:`);
    if (lowered.has(key.toLowerCase())) return invalid(`duplicate tag key ${key}`);
    if ([...value].length > 256 || !tagText.test(value))
      return invalid(`the value of tag ${key} does not satisfy the constraints`);
    lowered.add(key.toLowerCase());
    tags[key] = value;
  }
  if (
    !Array.isArray(transitive) ||
    transitive.some((key) => typeof key !== 'string' || !Object.hasOwn(tags, key))
  ) {
    return invalid('transitive_tag_keys must name keys of principal_tags');
  }
  return { tags, transitiveTagKeys: transitive as string[] };
}

function error(status: number, code: string, message: string) {
  return {
    status,
    xml: `<ErrorResponse xmlns="${ns}">
  <Error>
    <Type>Sender</Type>
    <Code>${code}</Code>
    <Message>${escapeXml(message)}</Message>
  </Error>
  <RequestId>${randomUUID()}</RequestId>
</ErrorResponse>
`,
  };
}

/** IAM's StringLike: `*` any run of characters, `?` one character. */
function globMatch(pattern: string, value: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`).test(value);
}

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** `aws iam create-open-id-connect-provider`'s input (`Url`, `ClientIDList`), as IAM stores it. */
export function oidcProviderFromInput(input: { Url: string; ClientIDList: string[] }): StsOidcProvider {
  return { url: input.Url, clientIds: [...input.ClientIDList] };
}

/**
 * A role from its trust policy document, read the way IAM reads one for AssumeRoleWithWebIdentity: one
 * `Allow` statement for `sts:AssumeRoleWithWebIdentity` whose `Federated` principal is
 * `arn:aws:iam::<account>:oidc-provider/<issuer host+path>` (one of `providers`), with
 * `StringEquals`/`StringLike` conditions on `<issuer host+path>:sub` and `:aud` (a value or a list:
 * any may match). Anything else this stand-in does not evaluate is refused, like an invalid document.
 */
export function roleFromTrustPolicy(arn: string, policy: unknown, providers: StsOidcProvider[]): StsRole {
  const statements = (policy as { Version?: string; Statement?: unknown[] }).Statement;
  if (
    (policy as { Version?: string }).Version !== '2012-10-17' ||
    !Array.isArray(statements) ||
    statements.length !== 1
  )
    throw new Error('MalformedPolicyDocument: one statement of Version 2012-10-17 expected');
  const statement = statements[0] as {
    Effect?: string;
    Principal?: { Federated?: string };
    Action?: string | string[];
    Condition?: Record<string, Record<string, string | string[]>>;
  };
  const actions = [statement.Action].flat();
  if (statement.Effect !== 'Allow' || !actions.includes('sts:AssumeRoleWithWebIdentity'))
    throw new Error('MalformedPolicyDocument: an Allow of sts:AssumeRoleWithWebIdentity expected');
  const federated = /^arn:aws:iam::\d{12}:oidc-provider\/(.+)$/.exec(statement.Principal?.Federated ?? '');
  const provider = providers.find(
    (candidate) => candidate.url.replace(/^https?:\/\//, '') === federated?.[1],
  );
  if (!federated || !provider) throw new Error(`no OIDC provider for ${statement.Principal?.Federated}`);
  const conditions: StsTrustCondition[] = [];
  for (const [operator, entries] of Object.entries(statement.Condition ?? {})) {
    if (operator !== 'StringEquals' && operator !== 'StringLike')
      throw new Error(`condition operator ${operator} is not evaluated here`);
    for (const [key, value] of Object.entries(entries)) {
      const claim = key.slice(federated[1]!.length + 1);
      if (!key.startsWith(`${federated[1]}:`) || (claim !== 'sub' && claim !== 'aud'))
        throw new Error(`condition key ${key} is not one of the provider's`);
      conditions.push({ operator, claim, values: [value].flat() });
    }
  }
  return { arn, trustedIssuer: provider.url, conditions };
}

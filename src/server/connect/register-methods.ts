import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError, permissionDenied, unauthenticated } from '../../core/errors.ts';
import type { AuthenticatedPrincipal, Principal } from '../principal.ts';
import type { MethodDefinition, ServerContext } from './define-method.ts';
import { sendApiError } from './errors.ts';
import { assertStorableText } from './storable-text.ts';
import { parseInput } from './validation.ts';

export const apiPrefix = '/api/gitpod.v1.';

/**
 * Serves each method at `POST /api/gitpod.v1.<Service>/<Method>` (Connect unary JSON): authenticate,
 * validate the body, run the handler, answer its result as JSON.
 */
export function registerMethods(
  app: FastifyInstance,
  context: ServerContext,
  methods: MethodDefinition[],
): void {
  app.setErrorHandler((error, request, reply) => sendApiError(error, request, reply));
  app.setNotFoundHandler((request, reply) => {
    const error = request.url.startsWith('/api/')
      ? new ApiError(
          'unimplemented',
          `no such method: ${request.method} ${request.url.split('?')[0]} (see docs/api.md)`,
        )
      : new ApiError('not_found', `no such path: ${request.url.split('?')[0]}`);
    return sendApiError(error, request, reply);
  });
  // Connect sends an empty body for a request whose fields are all default: that is `{}`.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '' || body.length === 0) return done(null, {});
    parseJson(request, body.toString(), (error, value) =>
      error
        ? done(new ApiError('invalid_argument', 'body: is not valid JSON'), undefined)
        : done(null, value),
    );
  });

  for (const definition of methods) {
    app.post(`${apiPrefix}${definition.service}/${definition.method}`, async (request) => {
      const principal = await authenticateRequest(context, request);
      request.principalKind = principal.kind;
      if (principal.kind === 'account' && !definition.forAccounts) throw accountRefusal();
      // List methods read `token` and `pageSize` from the query too (see pagination.ts).
      assertStorableText(request.query, 'query');
      const input = parseInput(definition.input, request.body ?? {});
      // An account principal reaches only handlers defined for it (defineAccountMethod).
      return (
        (await definition.handler(input, { ...context, principal: principal as Principal, request })) ?? {}
      );
    });
  }
}

const accountRefusal = (): ApiError =>
  permissionDenied(
    'an account-level token (a user token bound to no organization) may only read its user and ' +
      'organizations, join and leave organizations and create a personal access token for one of them ' +
      '(UserService/CreatePersonalAccessToken with organizationId); use that token for everything else',
  );

const bearer = /^Bearer ([^\s]+)$/;

/**
 * The caller's principal. Every refusal counts against the client address's failed authentications;
 * an address past that limit is refused before its credential is even looked at.
 */
async function authenticateRequest(
  context: ServerContext,
  request: FastifyRequest,
): Promise<AuthenticatedPrincipal> {
  await context.limits.assertAuthenticationAllowed(request.ip);
  try {
    return await authenticateBearer(context, request.headers.authorization);
  } catch (error) {
    if (error instanceof ApiError && error.code === 'unauthenticated') {
      await context.limits.countFailedAuthentication(request.ip);
    }
    throw error;
  }
}

function authenticateBearer(
  context: ServerContext,
  header: string | undefined,
): Promise<AuthenticatedPrincipal> {
  if (!header) throw unauthenticated('Authorization header is required: "Bearer <envid access token>"');
  const match = bearer.exec(header);
  if (!match)
    throw unauthenticated('Authorization header is malformed: expected "Bearer <envid access token>"');
  return context.authenticator.authenticate(match[1]!);
}

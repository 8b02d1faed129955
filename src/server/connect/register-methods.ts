import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError, unauthenticated } from '../../core/errors.ts';
import type { Principal } from '../principal.ts';
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
      // List methods read `token` and `pageSize` from the query too (see pagination.ts).
      assertStorableText(request.query, 'query');
      const input = parseInput(definition.input, request.body ?? {});
      return (await definition.handler(input, { ...context, principal, request })) ?? {};
    });
  }
}

const bearer = /^Bearer ([^\s]+)$/;

async function authenticateRequest(context: ServerContext, request: FastifyRequest): Promise<Principal> {
  const header = request.headers.authorization;
  if (!header) throw unauthenticated('Authorization header is required: "Bearer <envid access token>"');
  const match = bearer.exec(header);
  if (!match)
    throw unauthenticated('Authorization header is malformed: expected "Bearer <envid access token>"');
  return context.authenticator.authenticate(match[1]!);
}

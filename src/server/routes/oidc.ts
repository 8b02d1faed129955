import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { supportedClaims } from '../../core/tokens/supported-claims.ts';
import type { KeySet, PublishedJwks } from '../tokens/key-set.ts';

export interface OidcRouteOptions {
  /** The issuer URL exactly as tokens carry it in `iss`. */
  issuer: () => string;
  keys: KeySet;
}

/** What discovery and the JWKS answer to a GET, worked out once per document version. */
interface Answer {
  body: string;
  etag: string;
  /** 200's headers; a 304 sends the same but content-type and content-length. */
  headers: Record<string, string | number>;
  notModifiedHeaders: Record<string, string>;
}

/**
 * The public documents, by path: served by Fastify routes and, for plain GET and HEAD over HTTP, by
 * `answerDocumentRequest` before Fastify sees the request (relying parties fetch the JWKS far more often
 * than anything else; see BENCHMARKS.md). Both give the same answer.
 */
export interface OidcDocuments {
  /** The current answer at `path` (without its query), if that path serves a document. */
  at(path: string): Answer | undefined;
}

/**
 * Discovery and JWKS: public, cacheable (short max-age, ETag, 304), CORS-open, answered from memory.
 * They are served at the issuer's path and, when the issuer has a path, at the root as well (for a
 * reverse proxy that strips the prefix).
 */
export function registerOidcRoutes(app: FastifyInstance, options: OidcRouteOptions): OidcDocuments {
  const maxAge = () => options.keys.jwksMaxAgeSeconds;
  let discovery: { issuer: string; answer: Answer } | undefined;
  const discoveryAnswer = (): Answer => {
    const issuer = options.issuer();
    if (discovery?.issuer !== issuer) {
      const body = JSON.stringify({
        issuer,
        jwks_uri: `${issuer.replace(/\/$/, '')}/.well-known/jwks.json`,
        response_types_supported: ['id_token'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        claims_supported: supportedClaims,
        scopes_supported: ['openid'],
      });
      discovery = { issuer, answer: answerOf({ body, etag: etagOf(body) }, maxAge()) };
    }
    return discovery.answer;
  };
  let jwks: { published: PublishedJwks; answer: Answer } | undefined;
  const jwksAnswer = (): Answer => {
    const published = options.keys.jwks();
    if (jwks?.published !== published) jwks = { published, answer: answerOf(published, maxAge()) };
    return jwks.answer;
  };

  const byPath = new Map<string, () => Answer>();
  const prefixes = new Set(['', new URL(options.issuer()).pathname.replace(/\/$/, '')]);
  for (const prefix of prefixes) {
    byPath.set(`${prefix}/.well-known/openid-configuration`, discoveryAnswer);
    byPath.set(`${prefix}/.well-known/jwks.json`, jwksAnswer);
  }
  for (const [path, answer] of byPath) {
    app.get(path, (request: FastifyRequest, reply: FastifyReply) => {
      const current = answer();
      if (notModified(request.headers['if-none-match'], current.etag)) {
        return reply.code(304).headers(current.notModifiedHeaders).send();
      }
      return reply.headers(current.headers).send(current.body);
    });
  }
  return { at: (path) => byPath.get(path)?.() };
}

/**
 * Answers a GET or HEAD of a public document straight on node:http, with the headers the Fastify route
 * sends (and the request ID Fastify would give it). Returns false, touching nothing, for anything else.
 */
export function answerDocumentRequest(
  documents: OidcDocuments,
  request: IncomingMessage,
  response: ServerResponse,
  requestId: () => string,
): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const url = request.url ?? '';
  const query = url.indexOf('?');
  const answer = documents.at(query === -1 ? url : url.slice(0, query));
  if (!answer) return false;
  if (notModified(request.headers['if-none-match'], answer.etag)) {
    response.writeHead(304, { ...answer.notModifiedHeaders, 'x-request-id': requestId() });
    response.end();
  } else {
    response.writeHead(200, { ...answer.headers, 'x-request-id': requestId() });
    response.end(request.method === 'GET' ? answer.body : undefined);
  }
  return true;
}

export const etagOf = (body: string): string =>
  `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;

function answerOf(document: { body: string; etag: string }, maxAgeSeconds: number): Answer {
  const notModifiedHeaders = {
    'cache-control': `public, max-age=${maxAgeSeconds}`,
    etag: document.etag,
    'access-control-allow-origin': '*',
  };
  return {
    ...document,
    notModifiedHeaders,
    headers: {
      ...notModifiedHeaders,
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(document.body),
    },
  };
}

const notModified = (ifNoneMatch: string | undefined, etag: string): boolean =>
  ifNoneMatch?.split(',').some((tag) => tag.trim() === etag) ?? false;

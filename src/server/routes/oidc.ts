import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { signingAlgorithms } from '../../core/domain/public-jwk.ts';
import { supportedClaims } from '../../core/tokens/claims.ts';
import { etagOf } from '../etag.ts';
import type { KeySet, PublishedJwks } from '../tokens/key-set.ts';

export interface OidcRouteOptions {
  /** The issuer URL exactly as tokens carry it in `iss`. */
  issuer: () => string;
  keys: KeySet;
}

/** One HTTP answer: its status, headers and body (none for a 304). */
interface Reply {
  status: 200 | 304;
  headers: Record<string, string | number>;
  body?: string;
}

/** What discovery and the JWKS answer to a GET, both ways, worked out once per document version. */
interface Answer {
  etag: string;
  ok: Reply;
  notModified: Reply;
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
        id_token_signing_alg_values_supported: [...signingAlgorithms],
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
      const { status, headers, body } = replyTo(answer(), request.headers['if-none-match']);
      return reply.code(status).headers(headers).send(body);
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
  const { status, headers, body } = replyTo(answer, request.headers['if-none-match']);
  response.writeHead(status, { ...headers, 'x-request-id': requestId() });
  response.end(request.method === 'GET' ? body : undefined);
  return true;
}

function answerOf(document: { body: string; etag: string }, maxAgeSeconds: number): Answer {
  const cacheHeaders = {
    'cache-control': `public, max-age=${maxAgeSeconds}`,
    etag: document.etag,
    'access-control-allow-origin': '*',
  };
  return {
    etag: document.etag,
    notModified: { status: 304, headers: cacheHeaders },
    ok: {
      status: 200,
      headers: {
        ...cacheHeaders,
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(document.body),
      },
      body: document.body,
    },
  };
}

/** 304 to an If-None-Match that names the document's ETag, 200 otherwise. */
const replyTo = (answer: Answer, ifNoneMatch: string | undefined): Reply =>
  ifNoneMatch?.split(',').some((tag) => tag.trim() === answer.etag) ? answer.notModified : answer.ok;

import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { supportedClaims } from '../../core/tokens/supported-claims.ts';
import type { KeySet } from '../tokens/key-set.ts';

export interface OidcRouteOptions {
  /** The issuer URL exactly as tokens carry it in `iss`. */
  issuer: () => string;
  keys: KeySet;
}

/**
 * Discovery and JWKS: public, cacheable (short max-age, ETag, 304), CORS-open, answered from memory.
 * They are served at the issuer's path and, when the issuer has a path, at the root as well (for a
 * reverse proxy that strips the prefix).
 */
export function registerOidcRoutes(app: FastifyInstance, options: OidcRouteOptions): void {
  let discovery: { issuer: string; body: string; etag: string } | undefined;
  const discoveryDocument = () => {
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
      discovery = { issuer, body, etag: etagOf(body) };
    }
    return discovery;
  };
  const serveDiscovery = (request: FastifyRequest, reply: FastifyReply) =>
    sendCacheable(request, reply, discoveryDocument(), options.keys.jwksMaxAgeSeconds);
  const serveJwks = (request: FastifyRequest, reply: FastifyReply) =>
    sendCacheable(request, reply, options.keys.jwks(), options.keys.jwksMaxAgeSeconds);

  const prefixes = new Set(['', new URL(options.issuer()).pathname.replace(/\/$/, '')]);
  for (const prefix of prefixes) {
    app.get(`${prefix}/.well-known/openid-configuration`, serveDiscovery);
    app.get(`${prefix}/.well-known/jwks.json`, serveJwks);
  }
}

export const etagOf = (body: string): string =>
  `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;

function sendCacheable(
  request: FastifyRequest,
  reply: FastifyReply,
  document: { body: string; etag: string },
  maxAgeSeconds: number,
): FastifyReply {
  reply
    .header('cache-control', `public, max-age=${maxAgeSeconds}`)
    .header('etag', document.etag)
    .header('access-control-allow-origin', '*');
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch?.split(',').some((tag) => tag.trim() === document.etag)) {
    return reply.code(304).send();
  }
  return reply.type('application/json').send(document.body);
}

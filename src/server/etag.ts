import { createHash } from 'node:crypto';

/** The strong ETag of a published document (discovery, JWKS): a digest of its exact bytes. */
export const etagOf = (body: string): string =>
  `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;

import type { DecodedJwt } from '../../shared/decode-jwt.ts';
import type { DecodeShape } from './token-options.ts';

/**
 * What `envid idp token --decode` prints. `ona` is what Ona's CLI prints (Go's encoding/json of
 * go-jose's parsed token), so scripts written for it keep working: the claims with their keys sorted
 * at every level, and the signature headers as a list of go-jose `Header` structs; like Go, `<`, `>`
 * and `&` are written as \u escapes. `jose` is the token's own header and claims, as they were signed.
 * Decision: docs/decisions/0111-decode-output.md.
 */
export function printDecoded(decoded: DecodedJwt, shape: DecodeShape): string {
  if (shape === 'jose')
    return `${JSON.stringify({ Header: decoded.Header, Claims: decoded.Claims }, null, 2)}\n`;
  const { kid, alg, nonce } = decoded.Header;
  const header = {
    KeyID: typeof kid === 'string' ? kid : '',
    JSONWebKey: null,
    Algorithm: typeof alg === 'string' ? alg : '',
    Nonce: typeof nonce === 'string' ? nonce : '',
    ExtraHeaders: null,
  };
  const json = JSON.stringify({ Claims: sortedKeys(decoded.Claims), Header: [header] }, null, 2);
  return `${json.replace(/[<>&\u2028\u2029]/g, goEscape)}\n`;
}

/** A copy of a JSON value whose objects list their keys in code-unit order, as Go's maps marshal. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
  return Object.fromEntries(entries.map(([key, member]) => [key, sortedKeys(member)]));
}

// These characters occur only inside JSON strings, so escaping them keeps the same values.
const goEscape = (char: string) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;

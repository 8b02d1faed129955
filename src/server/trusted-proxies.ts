import { isIP } from 'node:net';

/** Ranges that Fastify's `trustProxy` (proxy-addr) knows by name. */
const namedRanges = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * The reverse proxies whose `X-Forwarded-For` names the client (`--trust-proxy`): a comma-separated list
 * of IP addresses, CIDR ranges and named ranges. Answers the entries, or the first one that is none of
 * these (an empty list answers the whole text).
 */
export function parseTrustedProxies(text: string): { entries: string[] } | { invalid: string } {
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) return { invalid: text };
  const invalid = entries.find((entry) => !isProxyEntry(entry));
  return invalid === undefined ? { entries } : { invalid };
}

function isProxyEntry(entry: string): boolean {
  if (namedRanges.has(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

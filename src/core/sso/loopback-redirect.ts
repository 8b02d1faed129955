/**
 * Where a sign-in for `envid login --sso` may send the browser: the CLI's loopback listener only,
 * `http://127.0.0.1:<port>/…` or `http://[::1]:<port>/…` with any port (RFC 8252 section 7.3). Not
 * `localhost`, which a resolver may answer otherwise (section 8.3), and never another host: no open
 * redirect. Answers the problem, or undefined when `value` is such a URI.
 */
export function loopbackRedirectProblem(value: string): string | undefined {
  const problem =
    'redirect_uri must be a loopback URI with a port, http://127.0.0.1:<port>/<path> or http://[::1]:<port>/<path>';
  if (value.length > 512) return 'redirect_uri must be at most 512 characters';
  if (!/^http:\/\/(127\.0\.0\.1|\[::1\]):\d{1,5}\//.test(value)) return problem;
  if ([...value].some((c) => c === '\\' || c <= ' ' || c === '\u007f')) return problem;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    return problem;
  }
  if (parsed.username || parsed.password || parsed.hash || parsed.port === '') return problem;
  if (parsed.hostname !== '127.0.0.1' && parsed.hostname !== '[::1]') return problem;
  return undefined;
}

/** A PKCE S256 challenge (RFC 7636 section 4.2): 43 base64url characters. */
export const isPkceChallenge = (value: unknown): value is string =>
  typeof value === 'string' && /^[A-Za-z0-9_-]{43}$/.test(value);

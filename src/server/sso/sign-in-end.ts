import { isPkceChallenge, loopbackRedirectProblem } from '../../core/sso/loopback-redirect.ts';
import { returnToProblem } from '../../core/sso/return-to.ts';
import type { SignInEnd } from './begin-sign-in.ts';

/**
 * Where a sign-in started at GET /sso/start ends: a path on envid (`returnTo`, the console), or, for
 * `envid login --sso`, the CLI's loopback listener (`redirect_uri`, with the CLI's PKCE S256
 * `code_challenge` and its own `state`). Answers the problem with a request, naming the parameter.
 */
export function signInEnd(query: Record<string, unknown>, returnTo: string): SignInEnd | string {
  const redirectUri = query.redirect_uri;
  if (redirectUri === undefined) {
    return returnToProblem(returnTo) ?? { returnTo };
  }
  if (typeof redirectUri !== 'string') return 'redirect_uri must be given once';
  const problem = loopbackRedirectProblem(redirectUri);
  if (problem) return problem;
  if (!isPkceChallenge(query.code_challenge)) {
    return "code_challenge is required with redirect_uri: the base64url SHA-256 of the CLI's code_verifier (43 characters)";
  }
  if (query.code_challenge_method !== 'S256') return 'code_challenge_method must be S256';
  const state = query.state;
  if (state !== undefined && (typeof state !== 'string' || !/^[A-Za-z0-9._~-]{1,128}$/.test(state))) {
    return 'state must be 1 to 128 characters of A-Z a-z 0-9 - . _ ~';
  }
  return {
    returnTo: '/',
    cliRedirectUri: redirectUri,
    cliCodeChallenge: query.code_challenge,
    ...(state ? { cliState: state } : {}),
  };
}

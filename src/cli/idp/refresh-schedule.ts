import type { DecodedJwt } from '../../shared/decode-jwt.ts';
import { testTimeScale as timeScale } from '../../shared/test-time-scale.ts';

/** Milliseconds from `nowMs` until a token should be renewed: at 2/3 of its lifetime, at least 1 s. */
export function refreshDelayMs(decoded: DecodedJwt, nowMs: number, env: NodeJS.ProcessEnv): number {
  const { iat, exp } = decoded.Claims as { iat?: number; exp?: number };
  if (typeof exp !== 'number') return 60_000 / timeScale(env);
  const issuedMs = (typeof iat === 'number' ? iat : nowMs / 1000) * 1000;
  const renewAtMs = issuedMs + ((exp * 1000 - issuedMs) * 2) / 3;
  return Math.max(1000, Math.round(renewAtMs - nowMs)) / timeScale(env);
}

/** After a failed renewal: try again soon, but well before the current token expires. */
export function retryDelayMs(decoded: DecodedJwt, nowMs: number, env: NodeJS.ProcessEnv): number {
  const { exp } = decoded.Claims as { exp?: number };
  const remainingMs = typeof exp === 'number' ? exp * 1000 - nowMs : 60_000;
  return Math.min(30_000, Math.max(1000, Math.round(remainingMs / 4))) / timeScale(env);
}

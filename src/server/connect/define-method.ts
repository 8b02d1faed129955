import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Clock } from '../../core/clock.ts';
import type { SsoSecrets } from '../../services/sso-configurations.ts';
import type { Store } from '../../store/store.ts';
import type { TokenAuditLog } from '../audit/audit-log.ts';
import type { Authenticator } from '../auth/authenticator.ts';
import type { ChangeFeed } from '../cache/change-feed.ts';
import type { KeyManager } from '../keys/key-manager.ts';
import type { RequestLimits } from '../limits/request-limits.ts';
import type { AuthenticatedPrincipal, Principal } from '../principal.ts';
import type { TokenSubjects } from '../tokens/token-subjects.ts';

/** What every API method may use. Services added later (token issuer, key manager) join here. */
export interface ServerContext {
  store: Store;
  clock: Clock;
  /** Announces the store's writes; caches subscribe to forget what changed. */
  changes: ChangeFeed;
  authenticator: Authenticator;
  /** Per-principal and per-address request limits. */
  limits: RequestLimits;
  tokens: TokenServices;
  /** Seals SSO client secrets and bounds the issuer check (SSO configurations, sign-in). */
  sso: SsoSecrets;
}

/** What issuing tokens needs, all answered from memory; the key manager also lists and rotates keys. */
export interface TokenServices {
  issuer: () => string;
  keys: KeyManager;
  subjects: TokenSubjects;
  audit: TokenAuditLog;
}

export interface CallContext<P extends AuthenticatedPrincipal = Principal> extends ServerContext {
  principal: P;
  request: FastifyRequest;
}

/** One Connect method: `POST /api/gitpod.v1.<service>/<method>` with a JSON body validated by `input`. */
export interface MethodDefinition<
  S extends z.ZodType = z.ZodType,
  P extends AuthenticatedPrincipal = Principal,
> {
  service: string;
  method: string;
  input: S;
  /** An account-level token may call it (set by defineAccountMethod); every other method refuses one. */
  forAccounts?: true;
  handler(input: z.infer<S>, call: CallContext<P>): Promise<unknown>;
}

export const defineMethod = <S extends z.ZodType>(definition: MethodDefinition<S>): MethodDefinition =>
  definition as unknown as MethodDefinition;

/**
 * A method an account-level token may call too (its handler sees the AccountPrincipal): the user's own
 * account calls, which read no organization's data.
 */
export const defineAccountMethod = <S extends z.ZodType>(
  definition: Omit<MethodDefinition<S, AuthenticatedPrincipal>, 'forAccounts'>,
): MethodDefinition => ({ ...definition, forAccounts: true }) as unknown as MethodDefinition;

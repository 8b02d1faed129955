import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { type ApiError, resourceExhausted } from '../../core/errors.ts';
import { principalLabel } from '../../core/principal-kinds.ts';
import type { OrganizationPrincipal } from '../principal.ts';
import { clientAddressKey } from './client-address-key.ts';
import type { RateLimit, RateLimitSetting } from './rate-limit.ts';

export interface RequestLimitOptions {
  /** GetIDToken calls per principal (`--token-rate-limit`). */
  tokens?: RateLimitSetting;
  /** Failed authentications per client address, IPv6 per /64 (`--auth-failure-limit`). */
  authFailures?: RateLimitSetting;
  /** Browser sign-ins started (GET /sso/start) per client address, IPv6 per /64 (`--sso-start-limit`). */
  ssoStarts?: RateLimitSetting;
  /** POST /sso/device and /sso/cli/token per client address, IPv6 per /64 (`--sso-cli-rate-limit`). */
  ssoCli?: RateLimitSetting;
}

/** A refused /sso/start: the message, when to retry, and whether it is the window's first refusal. */
export interface SsoStartRefusal {
  message: string;
  retryAfterSeconds: number;
  firstInWindow: boolean;
}

export const defaultRequestLimits = {
  tokens: { count: 100, seconds: 10 },
  authFailures: { count: 100, seconds: 60 },
  ssoStarts: { count: 60, seconds: 60 },
  // A device flow polls every 5 s (12 a minute); the rest leaves room for a few sign-ins at once.
  ssoCli: { count: 60, seconds: 60 },
} as const satisfies Required<RequestLimitOptions>;

interface Limiter {
  limit: RateLimit;
  counter: RateLimiterMemory;
}

const limiterFor = (setting: RateLimitSetting): Limiter | undefined =>
  setting === 'off'
    ? undefined
    : {
        limit: setting,
        counter: new RateLimiterMemory({ points: setting.count, duration: setting.seconds }),
      };

const retryAfterSeconds = (state: RateLimiterRes): number =>
  Math.max(1, Math.ceil(state.msBeforeNext / 1000));

/**
 * This replica's request limits (docs/decisions/0040), counted in memory: a check costs a map look-up,
 * never a database round-trip. Refusals are `resource_exhausted` (429) with `Retry-After`.
 */
export class RequestLimits {
  readonly #tokens: Limiter | undefined;
  readonly #failures: Limiter | undefined;
  readonly #ssoStarts: Limiter | undefined;
  /** Requests refused by each limit, for metrics (a plain count: refusals cost nothing more). */
  readonly refusals = { tokens: 0, auth_failures: 0, sso_start: 0, sso_cli: 0 };
  readonly #ssoCli: Limiter | undefined;

  constructor(options: RequestLimitOptions = {}) {
    this.#tokens = limiterFor(options.tokens ?? defaultRequestLimits.tokens);
    this.#failures = limiterFor(options.authFailures ?? defaultRequestLimits.authFailures);
    this.#ssoStarts = limiterFor(options.ssoStarts ?? defaultRequestLimits.ssoStarts);
    this.#ssoCli = limiterFor(options.ssoCli ?? defaultRequestLimits.ssoCli);
  }

  /**
   * Counts one command-line sign-in request (POST /sso/device, /sso/device/verify, /sso/cli/token)
   * from `address`. Answers the refusal past the limit, and whether it is the window's first (audited
   * once per window, so a flood of refused requests is not a flood of audit writes), or undefined.
   */
  async countSsoCliRequest(
    address: string,
  ): Promise<{ refusal: ApiError; firstInWindow: boolean } | undefined> {
    const limiter = this.#ssoCli;
    if (!limiter) return undefined;
    const key = clientAddressKey(address);
    try {
      await limiter.counter.consume(key);
      return undefined;
    } catch (state) {
      if (!(state instanceof RateLimiterRes)) throw state;
      const { count, seconds } = limiter.limit;
      const wait = retryAfterSeconds(state);
      this.refusals.sso_cli++;
      const refusal = resourceExhausted(
        `too many command-line sign-in requests from ${key}: at most ${count} in ${seconds} s per client address (envid serve --sso-cli-rate-limit); retry in ${wait} s`,
        wait,
      );
      return { refusal, firstInWindow: state.consumedPoints === count + 1 };
    }
  }

  /** Counts one ID token request of `principal`; refuses it past the limit. */
  async countTokenRequest(principal: OrganizationPrincipal): Promise<void> {
    const tokens = this.#tokens;
    if (!tokens) return;
    try {
      await tokens.counter.consume(`${principal.kind}:${principal.id}`);
    } catch (state) {
      if (!(state instanceof RateLimiterRes)) throw state;
      this.refusals.tokens++;
      const { count, seconds } = tokens.limit;
      const wait = retryAfterSeconds(state);
      throw resourceExhausted(
        `too many ID token requests by this ${principalLabel(principal.kind)}: at most ${count} in ${seconds} s per principal (envid serve --token-rate-limit); retry in ${wait} s`,
        wait,
      );
    }
  }

  /** Refuses a request from an address that has used up its failed authentications (before any look-up). */
  async assertAuthenticationAllowed(address: string): Promise<void> {
    const failures = this.#failures;
    if (!failures) return;
    const key = clientAddressKey(address);
    const state = await failures.counter.get(key);
    if (!state || state.consumedPoints < failures.limit.count) return;
    this.refusals.auth_failures++;
    const { count, seconds } = failures.limit;
    const wait = retryAfterSeconds(state);
    throw resourceExhausted(
      `too many failed authentications from ${key}: at most ${count} in ${seconds} s per client address (envid serve --auth-failure-limit); retry in ${wait} s`,
      wait,
    );
  }

  /** Counts a failed authentication from `address`. */
  async countFailedAuthentication(address: string): Promise<void> {
    await this.#failures?.counter.penalty(clientAddressKey(address));
  }

  /**
   * Counts one browser sign-in started from `address`; answers the refusal past the limit. Each start
   * writes a row and costs the upstream a discovery fetch, so an address cannot start them unbounded.
   */
  async countSsoStart(address: string): Promise<SsoStartRefusal | undefined> {
    const starts = this.#ssoStarts;
    if (!starts) return undefined;
    const key = clientAddressKey(address);
    try {
      await starts.counter.consume(key);
      return undefined;
    } catch (state) {
      if (!(state instanceof RateLimiterRes)) throw state;
      const { count, seconds } = starts.limit;
      const wait = retryAfterSeconds(state);
      this.refusals.sso_start++;
      return {
        message: `too many sign-ins started from ${key}: at most ${count} in ${seconds} s per client address (envid serve --sso-start-limit); retry in ${wait} s`,
        retryAfterSeconds: wait,
        // A refused consume still counts, so the window's first refusal is the one just past the limit.
        firstInWindow: state.consumedPoints === count + 1,
      };
    }
  }
}

import { readUnverifiedJwt } from '../../src/core/tokens/unverified-jwt.ts';
import type { TrustCheck } from '../../src/relying-parties/relying-party.ts';
import type { CheckVerdict, TokenUnderCheck } from '../../src/relying-parties/support/check-verdict.ts';
import type { TrustFlags } from '../../src/relying-parties/support/trust-input.ts';
import { setUpEnvironmentThroughApi } from './api-setup.ts';
import { type EnvidProcess, removeDir, startEnvid } from './envid-process.ts';
import { claimsOf } from './jwt-parts.ts';
import { runCli } from './run-cli.ts';

/**
 * Whose token: the environment's (a project-scoped sub, 100 bytes), its organization admin's (a user
 * sub), or the environment's once the organization's sub format adds environment_id (over 127 bytes).
 */
export type TokenPrincipal = 'environment' | 'user' | 'environment-long-sub';

/**
 * Real envid tokens for `envid idp check` tests: one `envid serve` with an organization, a project, a
 * runner and an environment set up through the API, and tokens asked with the built CLI's `envid idp
 * token` as code in an environment would (the relying parties' stand-ins fetch this server's keys).
 */
export interface CheckTokenSource {
  server: EnvidProcess;
  /** What setUpEnvironmentThroughApi made: the environment's token, the admin's PAT, the IDs. */
  setup: Awaited<ReturnType<typeof setUpEnvironmentThroughApi>>;
  token(audience: string, principal?: TokenPrincipal): Promise<string>;
  stop(): Promise<void>;
}

export async function startCheckTokenSource(options: { args?: string[] } = {}): Promise<CheckTokenSource> {
  const server = await startEnvid(options.args ? { args: options.args } : {});
  const setup = await setUpEnvironmentThroughApi(server.url, server.adminToken);
  const cache = new Map<string, string>();
  // Once set, every token asked after has the longer sub: tables ask for these last.
  let longSub = false;
  return {
    server,
    setup,
    async token(audience, principal = 'environment') {
      const key = `${principal} ${audience}`;
      const cached = cache.get(key);
      if (cached) return cached;
      if (principal === 'environment-long-sub' && !longSub) {
        const set = await runCli(
          [
            'oidc-config',
            'set',
            '--version',
            'v3',
            '--extra-sub-field',
            'environment_id',
            '--confirm-sub-change',
          ],
          { ENVID_HOST: server.url, ENVID_TOKEN: setup.pat },
        );
        if (set.code !== 0) throw new Error(`envid oidc-config set failed: ${set.stderr}`);
        longSub = true;
      }
      const ask = async () => {
        const result = await runCli(['idp', 'token', '--audience', audience], {
          ENVID_HOST: server.url,
          ENVID_TOKEN: principal === 'user' ? setup.pat : setup.environmentToken,
        });
        if (result.code !== 0) throw new Error(`envid idp token failed: ${result.stderr}`);
        return result.stdout.trim();
      };
      let token = await ask();
      // The server's configuration cache follows the change shortly after: poll until tokens have it.
      for (
        let attempt = 0;
        principal === 'environment-long-sub' && !claimsOf(token).sub.includes(':environment_id:');
        attempt++
      ) {
        if (attempt === 50) throw new Error('tokens never got the longer sub');
        token = await ask();
      }
      cache.set(key, token);
      return token;
    },
    async stop() {
      await server.stop();
      removeDir(server.dataDir);
    },
  };
}

/** The token as a check reads it. */
export function underCheck(token: string): TokenUnderCheck {
  const { header, claims } = readUnverifiedJwt(token);
  return { header: header!, claims: claims!, length: token.length };
}

/** A check run on one parsed document (or flags), at `now` (default: this machine's clock). */
export function runTrustCheck(
  check: TrustCheck,
  token: string,
  trust: { documents?: unknown[]; flags?: TrustFlags },
  now = Math.floor(Date.now() / 1000),
): CheckVerdict {
  const documents = (trust.documents ?? []).map((value, index) => ({ source: `config ${index + 1}`, value }));
  return check.evaluate(underCheck(token), { documents, flags: trust.flags ?? {} }, now);
}

/** Seconds after `token`'s exp: a time at which every provider, whatever its leeway, finds it expired. */
export function secondsPastExpiry(token: string): number {
  return claimsOf(token).exp - Math.floor(Date.now() / 1000) + 300;
}

// node:fs, not node:fs/promises: the cached answer reads one small file synchronously and prints, so
// that kubectl, which runs this command on every invocation, waits for little more than node's start.
import fs from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../../shared/config-paths.ts';
import { decodeJwt } from '../../shared/decode-jwt.ts';
import { parseTokenLifetime } from '../../shared/duration.ts';
import { usageError } from '../../shared/exit-codes.ts';
import { testTimeScale } from '../../shared/test-time-scale.ts';
import { writeFileAtomic } from '../../shared/write-file-atomic.ts';
import type { EnvidConnection, EnvidConnectionFlags, FreshToken, LoginContext } from '../relying-party.ts';
import { defaultKubernetesAudience } from './rules.ts';

/**
 * `envid idp kubernetes-credential`: the kubectl exec credential plugin that `envid idp login
 * kubernetes` writes into the kubeconfig. It prints an ExecCredential (client.authentication.k8s.io/v1)
 * with an envid token for --audience. kubectl runs it once per process, so every `kubectl` call would
 * pay for a token request: instead the answer comes from a cache file (mode 0600, one per envid server,
 * credential and audience) while the token has more than a few minutes left.
 */
export interface KubernetesCredentialFlags extends EnvidConnectionFlags {
  audience?: string;
  lifetime?: string;
}

export const execCredentialApiVersion = 'client.authentication.k8s.io/v1';

/** What the cache file holds (one per server and audience); `credential` is a fingerprint of envid's credential, never the credential. */
export interface CachedCredential {
  host: string;
  audience: string;
  credential: string;
  token: string;
  /** RFC 3339: when the answer stops being reused (and kubectl asks again), before the token's exp. */
  expirationTimestamp: string;
}

/** The ExecCredential kubectl reads on stdout, as one line. */
export function execCredentialJson(token: string, expirationTimestamp: string): string {
  return `${JSON.stringify({
    apiVersion: execCredentialApiVersion,
    kind: 'ExecCredential',
    status: { token, expirationTimestamp },
  })}\n`;
}

/**
 * When an answer stops being reused: some minutes before the token expires (a quarter of its lifetime
 * for a short one, at most 5 minutes), so that kubectl never sends a token about to expire. Divided by
 * the test time scale (src/shared/test-time-scale.ts) from the token's iat.
 */
export function reuseUntilMs(claims: Record<string, unknown>, nowMs: number, env: NodeJS.ProcessEnv): number {
  const iat = typeof claims['iat'] === 'number' ? claims['iat'] : Math.floor(nowMs / 1000);
  const exp = typeof claims['exp'] === 'number' ? claims['exp'] : iat + 300;
  const margin = Math.min(300, (exp - iat) / 4);
  return iat * 1000 + ((exp - margin - iat) * 1000) / testTimeScale(env);
}

/** RFC 3339 in whole seconds, as Kubernetes writes its timestamps. */
const rfc3339 = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** The audience the plugin asks for: --audience, else the login's default. */
export function pluginAudience(flags: KubernetesCredentialFlags): string {
  const audience = flags.audience?.trim() ?? defaultKubernetesAudience;
  if (audience === '' || /\s/.test(audience)) {
    throw usageError(
      `invalid --audience ${JSON.stringify(flags.audience)}: must be non-empty and without whitespace`,
    );
  }
  return audience;
}

/** FNV-1a, 32 bits, as hex: names the cache file and fingerprints the credential without node:crypto (slow to load). */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/** `<cache dir>/kubernetes/<hash of server and audience>.json`. */
export function credentialCachePath(env: NodeJS.ProcessEnv, host: string, audience: string): string {
  return join(cacheDir(env), 'kubernetes', `${fnv1a(`${host}\n${audience}`)}.json`);
}

const fingerprint = (connection: EnvidConnection) => fnv1a(`${connection.host}\n${connection.token}`);

/**
 * The cached ExecCredential for this server, credential and audience while it may still be reused, else
 * undefined (no file, another credential, a file that is not ours: the caller fetches a fresh token).
 */
export function cachedExecCredential(
  env: NodeJS.ProcessEnv,
  connection: EnvidConnection,
  audience: string,
  nowMs: number,
): string | undefined {
  let cached: Partial<CachedCredential>;
  try {
    cached = JSON.parse(fs.readFileSync(credentialCachePath(env, connection.host, audience), 'utf8'));
  } catch {
    return undefined;
  }
  if (
    cached.host !== connection.host ||
    cached.audience !== audience ||
    cached.credential !== fingerprint(connection) ||
    typeof cached.token !== 'string' ||
    typeof cached.expirationTimestamp !== 'string' ||
    !(Date.parse(cached.expirationTimestamp) > nowMs)
  ) {
    return undefined;
  }
  return execCredentialJson(cached.token, cached.expirationTimestamp);
}

/** Prints the ExecCredential: from the cache while it may be reused, else for a fresh token it then caches. */
export async function runKubernetesCredential(
  flags: KubernetesCredentialFlags,
  context: LoginContext,
): Promise<undefined> {
  const audience = pluginAudience(flags);
  const lifetimeSeconds =
    flags.lifetime === undefined ? undefined : parseTokenLifetime(flags.lifetime, '--lifetime');
  const connection = context.connection();
  const cached = cachedExecCredential(context.env, connection, audience, Date.now());
  if (cached !== undefined) {
    context.stdout.write(cached);
    return undefined;
  }
  const fresh = await context.freshToken(audience, lifetimeSeconds);
  const entry = freshCacheEntry(fresh, audience, context.env);
  // A cache that cannot be written costs the next kubectl call a token request, not this one its token.
  await cacheCredential(context.env, entry).catch((error: Error) => {
    context.stderr.write(`envid: cannot cache the Kubernetes credential: ${error.message}\n`);
  });
  context.stdout.write(execCredentialJson(entry.token, entry.expirationTimestamp));
  return undefined;
}

/** What the cache keeps for a fresh token: it is reused until reuseUntilMs. */
export function freshCacheEntry(
  fresh: FreshToken,
  audience: string,
  env: NodeJS.ProcessEnv,
): CachedCredential {
  return {
    host: fresh.connection.host,
    audience,
    credential: fingerprint(fresh.connection),
    token: fresh.token,
    expirationTimestamp: rfc3339(reuseUntilMs(decodeJwt(fresh.token).Claims, Date.now(), env)),
  };
}

/** Directory 0700, file 0600, written atomically: two kubectl processes may run the plugin at once. */
export async function cacheCredential(env: NodeJS.ProcessEnv, entry: CachedCredential): Promise<void> {
  const path = credentialCachePath(env, entry.host, entry.audience);
  const dir = join(path, '..');
  await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
  await fs.promises.chmod(dir, 0o700);
  await writeFileAtomic(path, JSON.stringify(entry), 0o600);
}

import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';
import { type ServeFlags, serveSettings } from '../shared/serve-settings.ts';
import { defaultConnectionLimits } from './limits/connection-limits.ts';
import { parseRateLimit } from './limits/rate-limit.ts';
import { defaultRequestLimits } from './limits/request-limits.ts';
import { parseTrustedProxies } from './trusted-proxies.ts';

export { type ServeFlags, serveSettings };

/** A duration setting in seconds (fractions allowed), 0.1 to `max` (none can be turned off). */
const seconds = (max: number, defaultMs: number) =>
  z.coerce
    .number({ error: 'must be a number of seconds' })
    .min(0.1, { error: `must be between 0.1 and ${max}` })
    .max(max, { error: `must be between 0.1 and ${max}` })
    .default(defaultMs / 1000);

const rateLimit = z.string().transform((value, context) => {
  const parsed = parseRateLimit(value);
  if (parsed !== undefined) return parsed;
  context.issues.push({
    code: 'custom',
    input: value,
    message: `"${value}" is not <count>/<seconds>s (a count of 1 or more in 1-86400 s, e.g. 100/10s) or off`,
  });
  return z.NEVER;
});

/** `auto`: one per core (availableParallelism); more than 64 processes on one machine buys nothing. */
const workerCount = z.string().transform((value, context) => {
  if (value === 'auto') return availableParallelism();
  const count = /^\d{1,2}$/.test(value) ? Number(value) : Number.NaN;
  if (count >= 1 && count <= 64) return count;
  context.issues.push({
    code: 'custom',
    input: value,
    message: `"${value}" is not a count from 1 to 64 or auto`,
  });
  return z.NEVER;
});

const configSchema = z.object({
  port: z.coerce
    .number({ error: 'must be a number' })
    .int({ error: 'must be an integer' })
    .min(0, { error: 'must be between 0 and 65535' })
    .max(65535, { error: 'must be between 0 and 65535' })
    .default(8080),
  host: z.string().min(1, { error: 'must not be empty' }).default('127.0.0.1'),
  dataDir: z.string().min(1, { error: 'must not be empty' }).default('.envid'),
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, { error: 'must be a postgres:// or postgresql:// URL' })
    .optional(),
  databaseConnectTimeout: seconds(60, 2_000),
  databaseQueryTimeout: seconds(3600, 5_000),
  issuer: z
    .string()
    .refine(isIssuerUrl, {
      error: 'must be an http(s) URL without query or fragment, e.g. https://envid.example.com',
    })
    .optional(),
  keyBits: z.coerce
    .number({ error: 'must be a number' })
    .int({ error: 'must be an integer' })
    .min(2048, { error: 'must be at least 2048' })
    .max(8192, { error: 'must be at most 8192' })
    .default(2048),
  keyRotationDays: z.coerce
    .number({ error: 'must be a number' })
    .positive({ error: 'must be more than 0' })
    .max(365, { error: 'must be at most 365' })
    .default(30),
  auditRetentionDays: z
    .string()
    .transform((value, context) => {
      if (value === 'off') return undefined;
      const days = Number(value);
      if (Number.isInteger(days) && days >= 1 && days <= 36_500) return days;
      context.issues.push({
        code: 'custom',
        input: value,
        message: 'must be a whole number of days from 1 to 36500, or off',
      });
      return z.NEVER;
    })
    .optional(),
  workers: workerCount.default(1),
  trustProxy: z
    .string()
    .transform((value, context) => {
      const parsed = parseTrustedProxies(value);
      if ('entries' in parsed) return parsed.entries;
      context.issues.push({
        code: 'custom',
        input: value,
        message: `"${parsed.invalid}" is not an IP address, a CIDR range (e.g. 10.0.0.0/8) or loopback, linklocal or uniquelocal`,
      });
      return z.NEVER;
    })
    .optional(),
  tlsCert: z.string().min(1).optional(),
  tlsKey: z.string().min(1).optional(),
  // Connection and request limits (docs/decisions/0040, 0041).
  headersTimeout: seconds(600, defaultConnectionLimits.headersTimeoutMs),
  requestTimeout: seconds(3600, defaultConnectionLimits.requestTimeoutMs),
  keepAliveTimeout: seconds(3600, defaultConnectionLimits.keepAliveTimeoutMs),
  maxConnections: z.coerce
    .number({ error: 'must be a number' })
    .int({ error: 'must be an integer' })
    .min(1, { error: 'must be between 1 and 1000000' })
    .max(1_000_000, { error: 'must be between 1 and 1000000' })
    .default(defaultConnectionLimits.maxConnections),
  tokenRateLimit: rateLimit.default(defaultRequestLimits.tokens),
  authFailureLimit: rateLimit.default(defaultRequestLimits.authFailures),
  ssoStartLimit: rateLimit.default(defaultRequestLimits.ssoStarts),
  metricsListen: z
    .string()
    .transform((value, context) => {
      const parsed = parseListenAddress(value);
      if (parsed) return parsed;
      context.issues.push({
        code: 'custom',
        input: value,
        message: `"${value}" is not <host>:<port> (a port from 0 to 65535; an IPv6 host in brackets), e.g. 127.0.0.1:9464`,
      });
      return z.NEVER;
    })
    .optional(),
  metricsTokenFile: z.string().min(1, { error: 'must not be empty' }).optional(),
  ssoCliRateLimit: rateLimit.default(defaultRequestLimits.ssoCli),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
});

/** The settings, with the TLS pair as one optional value (both files or neither). */
export type ServeConfig = Omit<z.infer<typeof configSchema>, 'tlsCert' | 'tlsKey'> & {
  tls?: { certFile: string; keyFile: string };
};

/** Flags win over environment variables, which win over defaults. Errors name the flag and the variable. */
export function resolveServeConfig(flags: ServeFlags, env: NodeJS.ProcessEnv): ServeConfig {
  const raw: Record<string, string> = {};
  for (const setting of serveSettings) {
    const value = flags[setting.key] ?? env[setting.env];
    if (value !== undefined && value !== '') raw[setting.key] = value;
  }
  const result = configSchema
    .superRefine((config, context) => {
      if ((config.tlsCert === undefined) !== (config.tlsKey === undefined)) {
        const [given, missing] = config.tlsCert === undefined ? ['tlsKey', 'tlsCert'] : ['tlsCert', 'tlsKey'];
        const other = serveSettings.find((s) => s.key === missing)!;
        context.addIssue({
          code: 'custom',
          path: [given],
          message: `needs ${other.flag} (${other.env}) too: give both the certificate and its key, or neither`,
        });
      }
      if (config.workers > 1 && !config.databaseUrl) {
        context.addIssue({
          code: 'custom',
          path: ['workers'],
          message:
            `${config.workers} workers need PostgreSQL (--database-url, ENVID_DATABASE_URL): the embedded ` +
            'database is opened by one process at a time; use 1 worker or set a database URL',
        });
      }
      if (config.headersTimeout <= config.requestTimeout) return;
      context.addIssue({
        code: 'custom',
        path: ['headersTimeout'],
        message: `must be at most the request timeout, ${config.requestTimeout} s (--request-timeout, ENVID_REQUEST_TIMEOUT)`,
      });
    })
    .safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const setting = serveSettings.find((s) => s.key === issue.path[0]);
    throw new ConfigError(`${setting?.flag} (${setting?.env}): ${issue.message}`);
  }
  const { tlsCert, tlsKey, ...rest } = result.data;
  return {
    ...rest,
    dataDir: resolve(result.data.dataDir),
    ...(result.data.metricsTokenFile ? { metricsTokenFile: resolve(result.data.metricsTokenFile) } : {}),
    ...(tlsCert && tlsKey ? { tls: { certFile: resolve(tlsCert), keyFile: resolve(tlsKey) } } : {}),
  };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** `host:port` or `[ipv6]:port`; undefined when it is neither. */
export function parseListenAddress(value: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(value);
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port > 65535) return undefined;
  return { host: (match[1] ?? match[2])!, port };
}

function isIssuerUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.search === '' && url.hash === '';
  } catch {
    return false;
  }
}

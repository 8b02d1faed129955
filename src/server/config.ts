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
  ssoCliRateLimit: rateLimit.default(defaultRequestLimits.ssoCli),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
});

export type ServeConfig = z.infer<typeof configSchema>;

/** Flags win over environment variables, which win over defaults. Errors name the flag and the variable. */
export function resolveServeConfig(flags: ServeFlags, env: NodeJS.ProcessEnv): ServeConfig {
  const raw: Record<string, string> = {};
  for (const setting of serveSettings) {
    const value = flags[setting.key] ?? env[setting.env];
    if (value !== undefined && value !== '') raw[setting.key] = value;
  }
  const result = configSchema
    .superRefine((config, context) => {
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
  return { ...result.data, dataDir: resolve(result.data.dataDir) };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function isIssuerUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.search === '' && url.hash === '';
  } catch {
    return false;
  }
}

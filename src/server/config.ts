import { resolve } from 'node:path';
import { z } from 'zod';

/** Every server setting: its flag, its environment variable and its default. */
export const serveSettings = [
  {
    key: 'port',
    flag: '--port',
    value: 'port',
    env: 'ENVID_PORT',
    description: 'TCP port; 0 picks a free one [8080]',
  },
  {
    key: 'host',
    flag: '--host',
    value: 'address',
    env: 'ENVID_LISTEN_HOST',
    description: 'address to listen on [127.0.0.1]',
  },
  {
    key: 'dataDir',
    flag: '--data-dir',
    value: 'path',
    env: 'ENVID_DATA_DIR',
    description: 'data directory (embedded database, key file, bootstrap token) [./.envid]',
  },
  {
    key: 'databaseUrl',
    flag: '--database-url',
    value: 'url',
    env: 'ENVID_DATABASE_URL',
    description: 'PostgreSQL URL; the embedded database is used when absent',
  },
  {
    key: 'issuer',
    flag: '--issuer',
    value: 'url',
    env: 'ENVID_ISSUER',
    description: 'issuer URL, exactly as relying parties see it (https in production) [http://<host>:<port>]',
  },
  {
    key: 'keyBits',
    flag: '--key-bits',
    value: 'bits',
    env: 'ENVID_KEY_BITS',
    description: 'RSA modulus size of new signing keys, 2048 or more [2048]',
  },
  {
    key: 'keyRotationDays',
    flag: '--key-rotation-days',
    value: 'days',
    env: 'ENVID_KEY_ROTATION_DAYS',
    description: 'how long a signing key signs before the next takes over [30]',
  },
  {
    key: 'logLevel',
    flag: '--log-level',
    value: 'level',
    env: 'ENVID_LOG_LEVEL',
    description: 'fatal, error, warn, info, debug or trace [info]',
  },
] as const;

export type ServeFlags = Partial<Record<(typeof serveSettings)[number]['key'], string>>;

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
  const result = configSchema.safeParse(raw);
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

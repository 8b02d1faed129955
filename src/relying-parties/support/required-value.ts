import { usageError } from '../../shared/exit-codes.ts';

/** A value a command takes from its flag, else from an environment variable (as docs/providers/*.md list them). */
export interface ValueSource {
  /** The flag as typed, e.g. `--role-arn`. */
  flag: string;
  /** Its environment variable, e.g. `IDP_AWS_ROLE_ARN`. */
  envVar: string;
  /** An example value for the error message, e.g. `arn:aws:iam::123456789012:role/dev`. */
  example: string;
}

/** The flag's value, else the environment variable's; `undefined` when neither is set or both are empty. */
export function optionalValue(
  flagValue: string | undefined,
  env: NodeJS.ProcessEnv,
  envVar: string,
): string | undefined {
  const value = flagValue ?? env[envVar];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/**
 * The flag's value, else the environment variable's; when both are missing, a usage error naming both:
 * `missing --role-arn (or IDP_AWS_ROLE_ARN), e.g. --role-arn arn:aws:iam::…`.
 */
export function requiredValue(
  flagValue: string | undefined,
  env: NodeJS.ProcessEnv,
  source: ValueSource,
): string {
  const value = optionalValue(flagValue, env, source.envVar);
  if (value === undefined) {
    throw usageError(
      `missing ${source.flag} (or the environment variable ${source.envVar}), e.g. ${source.flag} ${source.example}`,
    );
  }
  return value;
}

/** `value` as `parse` reads it; its Error becomes a usage error naming the flag: `invalid --role: …`. */
export function parsedFlag<T>(flag: string, parse: (value: string) => T, value: string): T {
  try {
    return parse(value);
  } catch (error) {
    throw usageError(`invalid ${flag}: ${(error as Error).message}`);
  }
}

/** The header and claims of a compact JWT, each undefined when it is not a base64url JSON object. */
export interface UnverifiedJwt {
  header: Record<string, unknown> | undefined;
  claims: Record<string, unknown> | undefined;
  /** How many dot-separated parts the token has (a JWS has three). */
  parts: number;
}

/**
 * The one place that reads a JWT without verifying it: for messages and for checks of what a relying
 * party would refuse, never for trust (the token came from envid itself, or is shown back to its user).
 */
export function readUnverifiedJwt(token: string): UnverifiedJwt {
  const parts = token.split('.');
  return { header: decodePart(parts[0]), claims: decodePart(parts[1]), parts: parts.length };
}

function decodePart(part: string | undefined): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

import { CliError, ExitCode } from '../exit-codes.ts';

export interface DecodedJwt {
  Header: Record<string, unknown>;
  Claims: Record<string, unknown>;
}

/** The header and claims of a compact JWS, unverified (the token comes from the server we asked). */
export function decodeJwt(token: string): DecodedJwt {
  const parts = token.split('.');
  try {
    if (parts.length !== 3) throw new Error('not three parts');
    return { Header: decodePart(parts[0]!), Claims: decodePart(parts[1]!) };
  } catch {
    throw new CliError('the server answered a token that is not a JWT', ExitCode.serverError);
  }
}

function decodePart(part: string): Record<string, unknown> {
  const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
  return value as Record<string, unknown>;
}

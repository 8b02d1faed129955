import { readUnverifiedJwt } from '../core/tokens/unverified-jwt.ts';
import { CliError, ExitCode } from './exit-codes.ts';

export interface DecodedJwt {
  Header: Record<string, unknown>;
  Claims: Record<string, unknown>;
}

/** The header and claims of a compact JWS, unverified (the token comes from the server we asked). */
export function decodeJwt(token: string): DecodedJwt {
  const { header, claims, parts } = readUnverifiedJwt(token);
  if (parts !== 3 || header === undefined || claims === undefined) {
    throw new CliError('the server answered a token that is not a JWT', ExitCode.serverError);
  }
  return { Header: header, Claims: claims };
}

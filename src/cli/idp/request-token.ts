import { CliError, ExitCode } from '../../shared/exit-codes.ts';
import { callApi } from '../api-client.ts';
import type { Connection } from '../config/resolve-connection.ts';

/** Asks the server for an ID token (IdentityService/GetIDToken) and answers the JWT. */
export async function requestIdToken(
  connection: Connection,
  audiences: string[],
  lifetimeSeconds: number | undefined,
): Promise<string> {
  const body = {
    audience: audiences,
    ...(lifetimeSeconds !== undefined ? { lifetime: `${lifetimeSeconds}s` } : {}),
  };
  const { token } = await callApi<{ token?: unknown }>(connection, 'IdentityService/GetIDToken', body);
  if (typeof token !== 'string' || token === '') {
    throw new CliError(`${connection.host} answered GetIDToken without a token`, ExitCode.serverError);
  }
  return token;
}

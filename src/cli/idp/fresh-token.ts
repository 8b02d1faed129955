import { loadConnection } from '../config/load-connection.ts';
import type { Connection, ConnectionFlags } from '../config/resolve-connection.ts';
import { requestIdToken } from './request-token.ts';

export interface FreshToken {
  /** Where it came from: `idp login` hands the same connection to the refresher it starts. */
  connection: Connection;
  token: string;
}

/**
 * A new envid ID token for one audience, from the connection `--host`/`--token`, ENVID_HOST/ENVID_TOKEN
 * or the saved login give. Every `envid idp login <provider>` starts with one, so that a broken trust is
 * reported at once. Errors are the CLI's usual ones (exit codes 2-5, see exit-codes.ts).
 */
export async function requestFreshToken(
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv,
  audience: string,
  lifetimeSeconds?: number,
): Promise<FreshToken> {
  const connection = await loadConnection(flags, env);
  const token = await requestIdToken(connection, [audience], lifetimeSeconds);
  return { connection, token };
}

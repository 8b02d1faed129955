import type { LoginContext } from '../../relying-parties/relying-party.ts';
import { loadConnectionSync } from '../config/load-connection.ts';
import type { ConnectionFlags } from '../config/resolve-connection.ts';
import { requestFreshToken } from './fresh-token.ts';

/** The context a relying party's command runs in: this process's streams and envid's tokens for `flags`. */
export function loginContext(flags: ConnectionFlags): LoginContext {
  return {
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    freshToken: (audience, lifetimeSeconds) =>
      requestFreshToken(flags, process.env, audience, lifetimeSeconds),
    connection: () => loadConnectionSync(flags, process.env),
  };
}

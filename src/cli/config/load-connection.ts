import type { Command } from 'commander';
import { credentialsPath } from '../../shared/config-paths.ts';
import { addFlags, type FlagSpec } from '../flag-spec.ts';
import { readCredentialsFile, readCredentialsFileSync } from './credentials-file.ts';
import { type Connection, type ConnectionFlags, resolveConnection } from './resolve-connection.ts';

/** `--host` and `--token`, on every command that talks to a server. */
export const connectionFlags: readonly FlagSpec[] = [
  { name: 'host', value: '<url>', description: 'envid server URL (env ENVID_HOST; else the saved login)' },
  { name: 'token', value: '<token>', description: 'credential (env ENVID_TOKEN; else the saved login)' },
];

/** Adds `--host` and `--token` to a command that talks to a server. */
export function addConnectionOptions(command: Command): Command {
  return addFlags(command, connectionFlags);
}

/** Host and credential from flags, environment, then the saved login. */
export async function loadConnection(flags: ConnectionFlags, env: NodeJS.ProcessEnv): Promise<Connection> {
  const saved = needsSavedLogin(flags, env) ? await readCredentialsFile(env) : undefined;
  return resolveConnection(flags, env, saved, credentialsPath(env));
}

/** loadConnection without a promise (the Kubernetes exec plugin's cached answer). */
export function loadConnectionSync(flags: ConnectionFlags, env: NodeJS.ProcessEnv): Connection {
  const saved = needsSavedLogin(flags, env) ? readCredentialsFileSync(env) : undefined;
  return resolveConnection(flags, env, saved, credentialsPath(env));
}

const needsSavedLogin = (flags: ConnectionFlags, env: NodeJS.ProcessEnv): boolean =>
  (flags.token ?? env['ENVID_TOKEN']) === undefined || (flags.host ?? env['ENVID_HOST']) === undefined;

import { usageError } from '../../shared/exit-codes.ts';
import { type Connection, hasScheme, normalizeHost } from './resolve-connection.ts';

export interface LoginFlags {
  host?: string;
  token?: string;
}

/**
 * `envid login` takes host and credential from its flags or ENVID_HOST / ENVID_TOKEN, never from the
 * saved file it is about to replace. `--token -` reads the credential from stdin (keeps it out of `ps`);
 * `stdinToken` is that text.
 */
export function parseLoginOptions(
  flags: LoginFlags,
  env: NodeJS.ProcessEnv,
  stdinToken?: string,
): Connection {
  const hostValue = flags.host ?? (env['ENVID_HOST'] || undefined);
  if (hostValue === undefined) throw usageError('missing --host: the envid server URL (or set ENVID_HOST)');
  let token: string | undefined;
  let tokenSource: string;
  if (flags.token === '-') {
    token = stdinToken?.trim();
    tokenSource = 'stdin';
  } else {
    token = flags.token ?? (env['ENVID_TOKEN'] || undefined);
    tokenSource = flags.token !== undefined ? '--token' : 'ENVID_TOKEN';
  }
  if (!token) {
    throw usageError(
      'missing --token: the credential to save (or set ENVID_TOKEN, or pass --token - to read it from stdin)',
    );
  }
  const assumed = hasScheme(hostValue)
    ? {}
    : { schemeAssumedFor: flags.host !== undefined ? '--host' : 'ENVID_HOST' };
  return { host: normalizeHost(hostValue), token, tokenSource, ...assumed };
}

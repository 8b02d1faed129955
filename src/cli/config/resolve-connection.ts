import { usageError } from '../../shared/exit-codes.ts';
import type { StoredCredentials } from './credentials-file.ts';

/** Where the CLI sends requests and with which credential. */
export interface Connection {
  host: string;
  token: string;
  /** Where the credential came from, for error messages: `--token`, `ENVID_TOKEN` or the file. */
  tokenSource: string;
  /** Where the host came from when it had no scheme and `https://` was assumed (said when it fails). */
  schemeAssumedFor?: string;
}

export interface ConnectionFlags {
  host?: string;
  token?: string;
}

/**
 * Host and credential: each from its flag, else its environment variable, else the file `envid login`
 * wrote. A host from one place and a credential from another are combined only when the saved login is
 * not involved: the saved credential is sent only to the saved host.
 */
export function resolveConnection(
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv,
  saved: StoredCredentials | undefined,
  savedPath: string,
): Connection {
  const hostValue = flags.host ?? nonEmpty(env['ENVID_HOST']);
  const tokenValue = flags.token ?? nonEmpty(env['ENVID_TOKEN']);
  const given =
    hostValue !== undefined
      ? { value: hostValue, source: flags.host !== undefined ? '--host' : 'ENVID_HOST' }
      : saved
        ? { value: saved.host, source: savedPath }
        : undefined;
  if (given === undefined) {
    throw usageError(
      'no envid host: pass --host URL, set ENVID_HOST, or run `envid login --host URL --token TOKEN`',
    );
  }
  const host = normalizeHost(given.value);
  const assumed = hasScheme(given.value) ? {} : { schemeAssumedFor: given.source };
  if (tokenValue !== undefined) {
    const tokenSource = flags.token !== undefined ? '--token' : 'ENVID_TOKEN';
    return { host, token: tokenValue, tokenSource, ...assumed };
  }
  if (saved && normalizeHost(saved.host) === host) {
    return { host, token: saved.token, tokenSource: savedPath, ...assumed };
  }
  throw usageError(
    saved
      ? `no credential for ${host} (the saved login is for ${normalizeHost(saved.host)}): pass --token, set ENVID_TOKEN, or run \`envid login --host ${host} --token TOKEN\``
      : 'no envid credential: pass --token TOKEN, set ENVID_TOKEN, or run `envid login --host URL --token TOKEN`',
  );
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** Whether `value` names its scheme (`https://…`); a bare `host:port` does not. */
export const hasScheme = (value: string): boolean => /^[a-z][a-z0-9+.-]*:\/\//i.test(value);

/** An http(s) URL without a trailing slash; a bare `host:port` is taken as https. */
export function normalizeHost(value: string): string {
  const withScheme = hasScheme(value) ? value : `https://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw usageError(
      `invalid envid host ${JSON.stringify(value)}: expected a URL such as https://envid.example.com`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw usageError(`invalid envid host ${JSON.stringify(value)}: the scheme must be http or https`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw usageError(
      `invalid envid host ${JSON.stringify(value)}: expected a URL without query, fragment or user`,
    );
  }
  return url.href.replace(/\/+$/, '');
}

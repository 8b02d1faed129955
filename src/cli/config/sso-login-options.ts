import { isUuid } from '../../core/ids.ts';
import { usageError } from '../../shared/exit-codes.ts';
import { hasScheme, normalizeHost } from './resolve-connection.ts';
import type { SsoLoginOptions } from './run-sso-login.ts';

export interface SsoLoginFlags {
  host?: string;
  token?: string;
  sso?: boolean;
  ssoConfiguration?: string;
  org?: string;
  /** Commander's `--no-browser`: false when given. */
  browser?: boolean;
}

/** Whether the flags ask for `envid login --sso` (or use one of its flags without it: a usage error). */
export function wantsSsoLogin(flags: SsoLoginFlags): boolean {
  if (flags.sso) return true;
  const stray = [
    flags.ssoConfiguration !== undefined && '--sso-configuration',
    flags.org !== undefined && '--org',
    flags.browser === false && '--no-browser',
  ].filter(Boolean);
  if (stray.length > 0) throw usageError(`${stray.join(', ')} only go with --sso`);
  return false;
}

/** `envid login --sso`: the host (flag or ENVID_HOST) and which SSO configuration, by ID or organization. */
export function parseSsoLoginOptions(flags: SsoLoginFlags, env: NodeJS.ProcessEnv): SsoLoginOptions {
  if (flags.token !== undefined) {
    throw usageError('--token and --sso do not go together: --sso signs in and makes the credential');
  }
  const hostValue = flags.host ?? (env['ENVID_HOST'] || undefined);
  if (hostValue === undefined) throw usageError('missing --host: the envid server URL (or set ENVID_HOST)');
  const { ssoConfiguration, org } = flags;
  if ((ssoConfiguration === undefined) === (org === undefined)) {
    throw usageError(
      '--sso needs exactly one of --sso-configuration ID (the SSO configuration to sign in with) or --org ID (its organization, when it has one active configuration)',
    );
  }
  for (const [flag, value] of [
    ['--sso-configuration', ssoConfiguration],
    ['--org', org],
  ] as const) {
    if (value !== undefined && !isUuid(value))
      throw usageError(`${flag}: must be a UUID, not "${value.slice(0, 64)}"`);
  }
  const assumed = hasScheme(hostValue)
    ? {}
    : { schemeAssumedFor: flags.host !== undefined ? '--host' : 'ENVID_HOST' };
  return {
    host: normalizeHost(hostValue),
    ...(ssoConfiguration ? { ssoConfigurationId: ssoConfiguration } : {}),
    ...(org ? { organizationId: org } : {}),
    browser: flags.browser !== false,
    ...assumed,
  };
}

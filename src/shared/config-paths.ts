import { homedir } from 'node:os';
import { join } from 'node:path';

/** `$XDG_CONFIG_HOME/envid`, else `~/.config/envid` (HOME from `env`, so tests can redirect it). */
export function configDir(env: NodeJS.ProcessEnv): string {
  const xdg = env['XDG_CONFIG_HOME'];
  if (xdg?.startsWith('/')) return join(xdg, 'envid');
  return join(env['HOME'] || homedir(), '.config', 'envid');
}

/** The file `envid login` writes: `{"host": "...", "token": "..."}`, mode 0600. */
export function credentialsPath(env: NodeJS.ProcessEnv): string {
  return join(configDir(env), 'credentials.json');
}

/** `$XDG_CACHE_HOME/envid`, else `~/.cache/envid`: what envid may lose at any time (cached tokens). */
export function cacheDir(env: NodeJS.ProcessEnv): string {
  const xdg = env['XDG_CACHE_HOME'];
  if (xdg?.startsWith('/')) return join(xdg, 'envid');
  return join(env['HOME'] || homedir(), '.cache', 'envid');
}

import { readFileSync } from 'node:fs';

/** Written in by scripts/build.mjs (esbuild `define`) from package.json. */
declare const ENVID_VERSION: string | undefined;

/** The version of envid: the one built in, or package.json's when run from source (tests, tsx). */
export function envidVersion(): string {
  if (typeof ENVID_VERSION === 'string') return ENVID_VERSION;
  const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  return String(packageJson.version);
}

import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { envidBin } from './envid-process.ts';

/**
 * An installed `envid` in `dir`/bin, as logins look for one on PATH: a symlink to this checkout's
 * bin/envid.js, as `npm install -g` links it, or a shell wrapper (as version managers write). Answers
 * that folder.
 */
export function installEnvid(dir: string, kind: 'symlink' | 'wrapper' = 'symlink'): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  if (kind === 'symlink') symlinkSync(envidBin, join(bin, 'envid'));
  else
    writeFileSync(join(bin, 'envid'), `#!/bin/sh\nexec "${process.execPath}" "${envidBin}" "$@"\n`, {
      mode: 0o755,
    });
  return bin;
}

import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, symlinkSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * PATH for tests whose outcome depends on a program being installed or not (az, aws, gcloud): never
 * the outer PATH as it happens to be, so that the suite passes with those programs installed or not.
 */

/** Where `program` is found on `path` (the outer PATH by default), or undefined. */
export function findOnPath(program: string, path = process.env['PATH'] ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

/** The outer PATH with `dirs` first: the stand-ins there win over any installed program of that name. */
export function pathWith(...dirs: string[]): string {
  return [...dirs, process.env['PATH'] ?? ''].join(delimiter);
}

/**
 * A PATH on which only `programs` (as found on the outer PATH) exist: symlinks to them in `dir` (created),
 * which is the whole PATH. Anything else (az, gcloud…) is absent, wherever it is installed, even in
 * /usr/bin next to node. Fails naming a program that is not installed.
 */
export function pathWithOnly(dir: string, programs: string[] = []): string {
  mkdirSync(dir, { recursive: true });
  for (const program of programs) {
    const found = findOnPath(program);
    if (found === undefined) throw new Error(`${program} is not on PATH (${process.env['PATH']})`);
    symlinkSync(found, join(dir, program));
  }
  return dir;
}

/**
 * The path of the real `program` when it is installed: found on the outer PATH and its `versionArgs`
 * print what `looksLike` expects (so a stand-in of the same name that fails or prints something else
 * is not taken for it). Undefined otherwise.
 */
export function installedProgram(
  program: string,
  versionArgs: string[],
  looksLike: RegExp,
): string | undefined {
  const found = findOnPath(program);
  if (found === undefined) return undefined;
  // Older programs (aws-cli v1 on Python 2) print their version on stderr.
  const result = spawnSync(found, versionArgs, { encoding: 'utf8', timeout: 60_000 });
  return result.status === 0 && looksLike.test(`${result.stdout}${result.stderr}`) ? found : undefined;
}

import { access, constants, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';

/**
 * The first executable file named `command` in the absolute directories of env's PATH (a relative entry
 * means another file from another working directory), skipping the directories `skip` refuses.
 */
export async function findOnPath(
  command: string,
  env: NodeJS.ProcessEnv,
  skip: (dir: string) => boolean = () => false,
): Promise<string | undefined> {
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (!isAbsolute(dir) || skip(dir)) continue;
    const candidate = join(dir, command);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

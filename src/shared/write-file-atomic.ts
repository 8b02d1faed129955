// fs.promises, not node:fs/promises: loaded on first use, so that importing this module costs
// `envid idp token` nothing (loading node:fs/promises costs it ~0.6 ms, and it mostly writes no file).
import fs from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `content` to `path` so that a reader sees the old file or the whole new one, never a part:
 * a temporary file in the same directory (same file system, so rename is atomic), created with
 * `mode`, flushed, then renamed over `path`.
 */
export async function writeFileAtomic(path: string, content: string, mode: number): Promise<void> {
  // Unique enough with 'wx' (which refuses an existing file); not node:crypto, which costs every CLI
  // start a few milliseconds to load.
  const unique = `${process.pid}.${Date.now().toString(36)}.${Math.random().toString(36).slice(2, 10)}`;
  const temporary = join(dirname(path), `.${basename(path)}.${unique}.tmp`);
  const handle = await fs.promises.open(temporary, 'wx', mode).catch(async (error: NodeJS.ErrnoException) => {
    // The temporary file is ours, not the caller's: name what the caller can fix.
    throw (await directoryProblem(path)) ?? error;
  });
  let written = false;
  try {
    await handle.writeFile(content);
    // The umask may have narrowed `mode`; make it exact.
    await handle.chmod(mode);
    await handle.sync();
    written = true;
  } finally {
    await handle.close();
    if (!written) await fs.promises.rm(temporary, { force: true });
  }
  try {
    await fs.promises.rename(temporary, path);
  } catch (error) {
    await fs.promises.rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Why no file can be written at `path` because of its directory (missing, not a directory, not
 * writable), as an error naming that directory; undefined when the directory is fine.
 */
export async function directoryProblem(path: string): Promise<Error | undefined> {
  const directory = dirname(path);
  // The system's code stays on the error, for callers that tell the cases apart.
  const problem = (code: string, message: string) => Object.assign(new Error(message), { code });
  try {
    const stats = await fs.promises.stat(directory);
    if (!stats.isDirectory()) return problem('ENOTDIR', `${directory} is not a directory`);
    await fs.promises.access(directory, fs.constants.W_OK);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code === 'ENOENT') return problem(code, `directory ${directory} does not exist`);
    if (code === 'ENOTDIR') return problem(code, `${directory} is not a directory`);
    if (code === 'EACCES' || code === 'EPERM') return problem(code, `directory ${directory} is not writable`);
    return undefined;
  }
}

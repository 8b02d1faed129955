import { open } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { usageError } from '../../shared/exit-codes.ts';
import { envidVersion } from '../../shared/version.ts';
import { findOnPath } from './find-on-path.ts';

/** npm exec / npx put the package's bin folder of their cache (`<cache>/_npx/<hash>/…`) on PATH. */
function isNpxCache(dir: string): boolean {
  return `${dir}${sep}`.includes(`${sep}_npx${sep}`);
}

/**
 * The program (and its leading arguments) that runs the installed `envid` again, for what a login leaves
 * to run later (AWS `credential_process`, Google's executable credential source, the Azure refresher):
 * the first `envid` on PATH outside npx's cache, never the script this process runs, which may be such a
 * cache that npm deletes. A node script is written with this node's absolute path, so that it runs from
 * processes with another PATH (IDEs, cron); a wrapper or binary runs as it is. `login` names the command
 * for the refusal when there is none. The credential is never part of it: the command finds it in
 * ENVID_TOKEN or the saved `envid login`.
 */
export async function installedEnvidCommand(env: NodeJS.ProcessEnv, login: string): Promise<string[]> {
  const envid = await findOnPath('envid', env, isNpxCache);
  if (envid !== undefined) return (await isNodeScript(envid)) ? [process.execPath, envid] : [envid];
  const script = process.argv[1] ? resolve(process.argv[1]) : undefined;
  const running = script
    ? ` (this one runs from ${script}${isNpxCache(script) ? ', a cache that npm may delete' : ''})`
    : '';
  throw usageError(
    `${login} writes a command that runs envid again later, but no installed envid is on PATH${running}. ` +
      `Install envid: \`npm install -g envid\` (from a tarball: \`npm install -g ./envid-${envidVersion()}.tgz\`; ` +
      'in a checkout: `npm link`), check that `envid --version` runs, then log in again',
  );
}

/** Whether the file starts with a `#!` line that names node (npm links a package's bin script so). */
async function isNodeScript(path: string): Promise<boolean> {
  const file = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(256), 0, 256, 0);
    const firstLine = buffer.subarray(0, bytesRead).toString('utf8').split('\n')[0] ?? '';
    return firstLine.startsWith('#!') && /\bnode\b/.test(firstLine);
  } finally {
    await file.close();
  }
}

/** `command` and `args` as one command line for a configuration file (quoted as quoteArgument says). */
export function envidCommandLine(command: readonly string[], args: readonly string[]): string {
  return [...command, ...args].map(quoteArgument).join(' ');
}

/**
 * An argument as both a POSIX shell (the JS SDK runs credential_process through one) and Python's
 * shlex.split (the aws CLI) read it back: bare when plain, else double-quoted.
 */
export function quoteArgument(value: string): string {
  if (/^[\w@%+=:,./-]+$/.test(value)) return value;
  if (/[$`\\"\n]/.test(value)) {
    throw usageError(
      `cannot write ${JSON.stringify(value)} into a command line: it contains $, \`, \\, " or a newline`,
    );
  }
  return `"${value}"`;
}

// fs.promises, not node:fs/promises: loaded on first use (see write-file-atomic.ts).
import fs from 'node:fs';
import { dirname } from 'node:path';
import { credentialsPath } from '../../shared/config-paths.ts';
import { CliError, ExitCode } from '../../shared/exit-codes.ts';
import { writeFileAtomic } from '../../shared/write-file-atomic.ts';

export interface StoredCredentials {
  host: string;
  token: string;
}

/** The saved login, or undefined when there is none. A malformed file is a usage error naming it. */
export async function readCredentialsFile(env: NodeJS.ProcessEnv): Promise<StoredCredentials | undefined> {
  const path = credentialsPath(env);
  let text: string;
  try {
    text = await fs.promises.readFile(path, 'utf8');
  } catch (error) {
    return missingOrUnreadable(path, error);
  }
  return parseCredentialsFile(path, text);
}

/**
 * readCredentialsFile without a promise, for the Kubernetes exec plugin's cached answer, which must not
 * wait for the event loop (nor load fs.promises) before it prints.
 */
export function readCredentialsFileSync(env: NodeJS.ProcessEnv): StoredCredentials | undefined {
  const path = credentialsPath(env);
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (error) {
    return missingOrUnreadable(path, error);
  }
  return parseCredentialsFile(path, text);
}

function missingOrUnreadable(path: string, error: unknown): undefined {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
  throw new CliError(`cannot read ${path}: ${(error as Error).message}`, ExitCode.usage);
}

function parseCredentialsFile(path: string, text: string): StoredCredentials {
  try {
    const parsed = JSON.parse(text) as Partial<StoredCredentials>;
    if (typeof parsed.host === 'string' && typeof parsed.token === 'string') {
      return { host: parsed.host, token: parsed.token };
    }
  } catch {
    // reported below
  }
  throw new CliError(
    `${path} is not a valid envid credentials file; run \`envid login\` again`,
    ExitCode.usage,
  );
}

/** Saves the login: directory 0700, file 0600, written atomically. Answers the path. */
export async function writeCredentialsFile(
  env: NodeJS.ProcessEnv,
  credentials: StoredCredentials,
): Promise<string> {
  const path = credentialsPath(env);
  await fs.promises.mkdir(dirname(path), { recursive: true, mode: 0o700 });
  // mkdir leaves an existing directory's mode alone; the credential must not be readable by others.
  await fs.promises.chmod(dirname(path), 0o700);
  await writeFileAtomic(path, `${JSON.stringify(credentials, null, 2)}\n`, 0o600);
  return path;
}

/** Removes the saved login; answers whether there was one. */
export async function deleteCredentialsFile(env: NodeJS.ProcessEnv): Promise<boolean> {
  const path = credentialsPath(env);
  try {
    await fs.promises.rm(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

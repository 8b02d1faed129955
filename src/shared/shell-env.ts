import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { configDir } from './config-paths.ts';
import { shellQuote } from './shell-quote.ts';
import { writeFileAtomic } from './write-file-atomic.ts';

/**
 * Environment variables that `envid idp login` wants every new shell to have (e.g.
 * GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1): kept as `export` lines in `<envid config dir>/env.sh`
 * (other variables in it kept), which ~/.bashrc (in its first lines), ~/.zshrc and ~/.profile source
 * through one line that is added once. A process cannot change its parent shell, so the caller also tells the user to export
 * them in the current one.
 */
export interface ShellEnvResult {
  /** The file holding the `export` lines. */
  file: string;
  /** The shell start-up files that source it. */
  profiles: string[];
}

const marker = '# envid: variables set by `envid idp login`';

export function shellEnvPath(env: NodeJS.ProcessEnv): string {
  return join(configDir(env), 'env.sh');
}

/** Sets `variables` in env.sh (and removes the `unset` ones a login no longer wants, e.g. an old authority host). */
export async function persistShellVariables(
  env: NodeJS.ProcessEnv,
  variables: Record<string, string>,
  unset: readonly string[] = [],
): Promise<ShellEnvResult> {
  const file = shellEnvPath(env);
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const existing = await readFile(file, 'utf8').catch(() => '');
  const kept = existing
    .split('\n')
    .filter(
      (line) =>
        line.trim() !== '' &&
        ![...Object.keys(variables), ...unset].some((name) => line.startsWith(`export ${name}=`)),
    );
  const lines = [
    ...kept,
    ...Object.entries(variables).map(([name, value]) => `export ${name}=${shellQuote(value)}`),
  ];
  await writeFileAtomic(file, `${lines.join('\n')}\n`, 0o644);

  const home = env['HOME'] || homedir();
  const sourceLine = `[ -f ${shellQuote(file)} ] && . ${shellQuote(file)}`;
  const block = `${marker}\n${sourceLine}\n`;
  const candidates = ['.bashrc', '.zshrc', '.profile'];
  const profiles: string[] = [];
  for (const name of candidates) {
    const profile = join(home, name);
    const text = await readFile(profile, 'utf8').catch(() => undefined);
    // bash is the usual interactive shell in environments: create ~/.bashrc; others only when present
    // (or when zsh is the user's shell).
    const wanted =
      text !== undefined || name === '.bashrc' || (name === '.zshrc' && /zsh$/.test(env['SHELL'] ?? ''));
    if (!wanted) continue;
    profiles.push(profile);
    const updated = name === '.bashrc' ? withBlockFirst(text ?? '', block) : withBlockLast(text, block);
    if (updated !== text) await writeFile(profile, updated, { mode: 0o644 });
  }
  return { file, profiles };
}

/**
 * ~/.bashrc with the block as its first lines: Debian's and most distributions' .bashrc return early
 * when the shell is not interactive, so a line after that guard never reaches `ssh host cmd` or
 * `BASH_ENV=~/.bashrc bash -c` (docs/decisions/0165). A block an older envid appended is moved up.
 */
function withBlockFirst(text: string, block: string): string {
  if (text.startsWith(block)) return text;
  return `${block}${text.replace(block, '')}`;
}

/** Other start-up files: the block appended once. */
function withBlockLast(text: string | undefined, block: string): string {
  const existing = text ?? '';
  if (existing.includes(block.split('\n')[1]!)) return existing;
  const prefix = existing === '' || existing.endsWith('\n') ? '' : '\n';
  return `${existing}${prefix}${block}`;
}

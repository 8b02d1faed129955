import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envidBin, removeDir } from '../support/envid-process.ts';
import { runCli } from '../support/run-cli.ts';
import { titled } from '../support/skip-reason.ts';

// The scripts from the built envid, sourced by the real shells. CI installs zsh and fish and sets
// ENVID_REQUIRE_SHELLS, so there a missing shell fails instead of skipping.
const dir = mkdtempSync(join(tmpdir(), 'envid-completion-'));
/** Why the test of `shell` skips (it is not installed), or undefined when it runs. */
const missing = (shell: string): string | undefined => {
  try {
    execFileSync('sh', ['-c', `command -v ${shell}`], { stdio: 'ignore' });
    return undefined;
  } catch {
    const reason = `${shell} is not installed (apt-get install ${shell})`;
    if (process.env['ENVID_REQUIRE_SHELLS']) throw new Error(reason);
    return reason;
  }
};
const [noZsh, noFish] = [missing('zsh'), missing('fish')];

async function scriptFile(shell: string): Promise<string> {
  const result = await runCli(['completion', shell], {});
  expect(result.code).toBe(0);
  const file = join(dir, `envid.${shell}`);
  writeFileSync(file, result.stdout);
  return file;
}

const lines = (output: string) => output.trim().split(/\s+/).sort();

describe('envid completion', () => {
  let topLevel: string[];

  beforeAll(async () => {
    // The commands `envid --help` lists: every one must complete.
    const help = await runCli(['--help'], {});
    const commands = help.stdout.split('Commands:')[1]!.split('Examples:')[0]!;
    topLevel = [...commands.matchAll(/^ {2}([a-z][\w-]*)/gm)].map((match) => match[1]!);
    expect(topLevel).toEqual(expect.arrayContaining(['serve', 'idp', 'completion', 'keys', 'env']));
  });

  afterAll(() => removeDir(dir));

  it('bash completes commands, subcommands and flags, skipping flag values', async () => {
    const file = await scriptFile('bash');
    const complete = (words: string[]) =>
      execFileSync(
        'bash',
        [
          '-c',
          `source ${file}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _envid; printf '%s\\n' "\${COMPREPLY[@]}"`,
        ],
        { encoding: 'utf8' },
      );
    expect(lines(complete(['envid', '']))).toEqual(expect.arrayContaining(topLevel));
    expect(lines(complete(['envid', 'idp', 'to']))).toEqual(['token']);
    expect(lines(complete(['envid', 'idp', 'token', '--audience', 'x', '--o']))).toEqual(['--output-file']);
    expect(lines(complete(['envid', 'keys', '']))).toEqual(['--help', 'list', 'revoke', 'rotate']);
  });

  it.skipIf(noZsh !== undefined)(titled('zsh completes the same', noZsh), async () => {
    const file = await scriptFile('zsh');
    // compadd and compdef exist only inside zsh's completion system: stand-ins print what is offered.
    const complete = (words: string[]) =>
      execFileSync(
        'zsh',
        [
          '-c',
          `compdef() { :; }; compadd() { shift; print -rl -- "$@"; }; source ${file}; words=(${words.map((w) => `'${w}'`).join(' ')}); CURRENT=${words.length}; _envid`,
        ],
        { encoding: 'utf8' },
      );
    expect(lines(complete(['envid', '']))).toEqual(expect.arrayContaining(topLevel));
    expect(lines(complete(['envid', 'idp', 'token', '--audience', 'x', '']))).toContain('--output-file');
    expect(lines(complete(['envid', 'keys', '']))).toEqual(['--help', 'list', 'revoke', 'rotate']);
  });

  it.skipIf(noFish !== undefined)(titled('fish completes the same', noFish), async () => {
    const file = await scriptFile('fish');
    const complete = (commandLine: string) =>
      execFileSync('fish', ['-c', `source ${file}; complete -C'${commandLine}'`], { encoding: 'utf8' });
    expect(lines(complete('envid '))).toEqual(expect.arrayContaining(topLevel));
    expect(lines(complete('envid idp to'))).toEqual(['token']);
    expect(lines(complete('envid idp token --audience x --o'))).toEqual(['--output-file']);
    expect(lines(complete('envid keys r'))).toEqual(['revoke', 'rotate']);
  });

  it('ends quietly when a pipe closes its output early (no EPIPE stack trace)', () => {
    for (const args of ['--help', 'completion bash']) {
      const result = spawnSync('sh', ['-c', `"$NODE" "$ENVID_BIN" ${args} | head -1`], {
        encoding: 'utf8',
        env: { PATH: process.env['PATH'], NODE: process.execPath, ENVID_BIN: envidBin },
      });
      expect(result.stdout.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toBe('');
    }
  });

  it('refuses an unknown shell with a usage error naming the ones it knows', async () => {
    const result = await runCli(['completion', 'tcsh'], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown shell "tcsh": use one of bash, zsh, fish');
  });
});

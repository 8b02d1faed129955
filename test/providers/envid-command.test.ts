import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { envidCommandLine, installedEnvidCommand } from '../../src/relying-parties/support/envid-command.ts';
import { CliError, ExitCode } from '../../src/shared/exit-codes.ts';
import { installEnvid } from '../support/envid-on-path.ts';
import { envidBin } from '../support/envid-process.ts';

const login = '`envid idp login aws`';

describe('the installed envid a login writes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'envid-command-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** An `envid` symlink in an npx cache folder, as `npx envid` puts it on PATH. */
  const npxBin = join(dir, 'cache', '_npx', '0123abcd', 'node_modules', '.bin');
  mkdirSync(npxBin, { recursive: true });
  symlinkSync(envidBin, join(npxBin, 'envid'));
  const linked = installEnvid(join(dir, 'global'));
  const wrapper = installEnvid(join(dir, 'wrapped'), 'wrapper');
  const empty = join(dir, 'empty');
  mkdirSync(empty);

  const refusal = async (PATH: string) => {
    const error = await installedEnvidCommand({ PATH }, login).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(ExitCode.usage);
    return (error as CliError).message;
  };

  it('a node script on PATH (npm’s link): this node and its path, outside the npx cache', async () => {
    const command = await installedEnvidCommand({ PATH: [npxBin, empty, linked].join(delimiter) }, login);
    expect(command).toEqual([process.execPath, join(linked, 'envid')]);
    expect(envidCommandLine(command, ['idp', 'gcloud-token'])).toBe(
      `${process.execPath} ${join(linked, 'envid')} idp gcloud-token`,
    );
  });

  it('a wrapper on PATH runs as it is', async () => {
    expect(await installedEnvidCommand({ PATH: [wrapper, linked].join(delimiter) }, login)).toEqual([
      join(wrapper, 'envid'),
    ]);
  });

  it('refuses when PATH has none, or only npx’s cache, a relative folder or a non-executable file', async () => {
    const plain = join(dir, 'plain');
    mkdirSync(plain);
    writeFileSync(join(plain, 'envid'), '#!/usr/bin/env node\n', { mode: 0o644 });
    mkdirSync(join(dir, 'folder', 'envid'), { recursive: true });
    for (const PATH of [empty, npxBin, plain, join(dir, 'folder'), '', `.${delimiter}bin`]) {
      const message = await refusal(PATH);
      expect(message).toContain(`${login} writes a command that runs envid again later`);
      expect(message).toContain('no installed envid is on PATH');
      expect(message).toContain('`npm install -g envid`');
      expect(message).toMatch(/`npm install -g \.\/envid-\d+\.\d+\.\d+\S*\.tgz`/);
    }
  });
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { type EnvidProcess, removeDir, startEnvid } from './envid-process.ts';
import { type CliResult, runCli } from './run-cli.ts';

export const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const secretWarning = /store it now; it cannot be shown again/;

/**
 * The built CLI against one server, each run a process of its own with HOME `home()` and the token
 * given, and the checks the admin command tests make of what it prints. `home` and `url` are read at
 * each run: both are made in a beforeAll.
 */
export function adminCli(home: () => string, url: () => string) {
  const cli = (token: string, ...args: string[]) =>
    runCli(args, { HOME: home(), ENVID_HOST: url(), ENVID_TOKEN: token });
  /** Runs a command that must succeed with --json and parses its stdout. */
  async function json(token: string, ...args: string[]): Promise<any> {
    const result = await cli(token, ...args, '--json');
    expect({ args, code: result.code, stderr: result.stderr }).toMatchObject({ args, code: 0 });
    return JSON.parse(result.stdout);
  }
  function expectFailure(result: CliResult, code: number, message: RegExp): void {
    expect({ code: result.code, stderr: result.stderr }).toMatchObject({
      code,
      stderr: expect.stringMatching(message),
    });
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/);
  }
  /** A secret printed alone on stdout, with the warning on stderr. */
  function expectSecret(result: CliResult, prefix: string): string {
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^${prefix}[\\w-]+\\n$`));
    expect(result.stderr).toMatch(secretWarning);
    expect(result.stderr).not.toContain(result.stdout.trim());
    return result.stdout.trim();
  }
  return { cli, json, expectFailure, expectSecret };
}

/**
 * One `envid serve` and a HOME directory (named `prefix…`) for the describe block it is called in: made
 * in beforeAll, not when the file is collected (`vitest list` would leave the directory behind), then
 * `onStart`; afterAll stops the server (exit 0 expected) and removes its data directory and the HOME.
 */
export function serverForFile(
  prefix: string,
  onStart: (server: EnvidProcess) => Promise<void> | void,
): { home(): string } {
  let server: EnvidProcess | undefined;
  let home: string | undefined;
  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), prefix));
    server = await startEnvid();
    await onStart(server);
  });
  afterAll(async () => {
    if (server) {
      expect(await server.stop()).toBe(0);
      removeDir(server.dataDir);
    }
    if (home) removeDir(home);
  });
  return {
    home() {
      if (!home) throw new Error('the HOME directory is made in beforeAll');
      return home;
    },
  };
}

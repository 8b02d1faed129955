import { describe, expect, it } from 'vitest';
import { parseTokenArgsFast } from '../../src/cli/idp/token-command.ts';
import { parseTokenOptions } from '../../src/cli/idp/token-options.ts';
import { parseDuration } from '../../src/shared/duration.ts';
import { usageMessage } from '../support/usage-message.ts';

describe('envid idp token flags', () => {
  it('needs an audience and names --audience when it is missing', () => {
    expect(usageMessage(() => parseTokenOptions({}))).toMatch(/missing --audience/);
    expect(usageMessage(() => parseTokenOptions({ audience: [] }))).toMatch(/--audience/);
    expect(usageMessage(() => parseTokenOptions({ audience: ['a b'] }))).toMatch(/invalid --audience "a b"/);
  });

  it('folds duplicate audiences and keeps their order', () => {
    expect(parseTokenOptions({ audience: ['b', 'a', 'b'] })).toEqual({
      audiences: ['b', 'a'],
      output: { kind: 'stdout', decode: false },
    });
  });

  it('parses the lifetime and --decode', () => {
    expect(parseTokenOptions({ audience: ['a'], lifetime: '15m', decode: true })).toEqual({
      audiences: ['a'],
      lifetimeSeconds: 900,
      output: { kind: 'stdout', decode: 'ona' },
    });
    for (const [decode, shape] of [
      ['ona', 'ona'],
      ['jose', 'jose'],
    ] as const) {
      expect(parseTokenOptions({ audience: ['a'], decode }).output).toEqual({
        kind: 'stdout',
        decode: shape,
      });
    }
    expect(usageMessage(() => parseTokenOptions({ audience: ['a'], decode: 'yaml' }))).toBe(
      'invalid --decode value "yaml": use --decode (what Ona\'s CLI prints) or --decode=jose (the JOSE header and claims)',
    );
    expect(usageMessage(() => parseTokenOptions({ audience: ['a'], lifetime: 'soon' }))).toMatch(
      /--lifetime/,
    );
  });

  it('refuses a lifetime outside 60 s to 1 h, naming --lifetime and the range', () => {
    const allowed = 'allowed: 60s to 1h (seconds, or a duration such as 900s, 15m or 1h)';
    for (const [value, problem] of [
      ['2h', 'is longer than the longest token lifetime'],
      ['1h30m', 'is longer than the longest token lifetime'],
      ['3601', 'is longer than the longest token lifetime'],
      ['59s', 'is shorter than the shortest token lifetime'],
      ['soon', 'is not a duration such as 90, 900s, 15m or 1h'],
    ]) {
      expect(usageMessage(() => parseTokenOptions({ audience: ['a'], lifetime: value }))).toBe(
        `--lifetime: ${JSON.stringify(value)} ${problem}; ${allowed}`,
      );
    }
    for (const [value, seconds] of [
      ['60s', 60],
      ['1h', 3600],
      ['59m60s', 3600],
    ] as const) {
      expect(parseTokenOptions({ audience: ['a'], lifetime: value }).lifetimeSeconds).toBe(seconds);
    }
  });

  it('writes a file, with --refresh and --background defaulting the pid and log files next to it', () => {
    expect(parseTokenOptions({ audience: ['a'], outputFile: '/t/tok' }).output).toEqual({
      kind: 'file',
      path: '/t/tok',
      refresh: false,
    });
    expect(
      parseTokenOptions({ audience: ['a'], outputFile: '/t/tok', refresh: true, background: true }).output,
    ).toEqual({
      kind: 'file',
      path: '/t/tok',
      refresh: true,
      background: true,
      pidFile: '/t/tok.pid',
      logFile: '/t/tok.log',
    });
    expect(
      parseTokenOptions({ audience: ['a'], outputFile: '/t/tok', refresh: true, pidFile: '/run/x.pid' })
        .output,
    ).toMatchObject({ background: false, pidFile: '/run/x.pid' });
  });

  it('refuses combinations that make no sense, naming the flags', () => {
    expect(usageMessage(() => parseTokenOptions({ audience: ['a'], refresh: true }))).toMatch(
      /--refresh needs --output-file/,
    );
    expect(usageMessage(() => parseTokenOptions({ audience: ['a'], background: true }))).toMatch(
      /--background needs/,
    );
    expect(
      usageMessage(() => parseTokenOptions({ audience: ['a'], outputFile: 'f', background: true })),
    ).toMatch(/--background needs --refresh/);
    expect(usageMessage(() => parseTokenOptions({ audience: ['a'], outputFile: 'f', decode: true }))).toMatch(
      /--decode/,
    );
  });
});

describe('durations', () => {
  it('accepts seconds, minutes, hours and combinations', () => {
    expect(parseDuration('90', '--x')).toBe(90);
    expect(parseDuration('900s', '--x')).toBe(900);
    expect(parseDuration('15m', '--x')).toBe(900);
    expect(parseDuration('1h', '--x')).toBe(3600);
    expect(parseDuration('1h30m', '--x')).toBe(5400);
  });

  it('refuses anything else', () => {
    for (const value of ['', 'm', '1d', '-5s', '0', '0s', '1.5m', '15 m']) {
      expect(usageMessage(() => parseDuration(value, '--lifetime'))).toMatch(/--lifetime/);
    }
  });
});

describe('the fast path of `envid idp token` (no commander)', () => {
  /** What commander hands the action for the same arguments: the one parser must agree with the other. */
  async function parsedByCommander(args: string[]): Promise<Record<string, unknown>> {
    const { Command } = await import('commander');
    const { registerIdpCommands } = await import('../../src/cli/commands/idp.ts');
    const program = new Command('envid').exitOverride();
    registerIdpCommands(program);
    const token = program.commands
      .find((c) => c.name() === 'idp')!
      .commands.find((c) => c.name() === 'token')!;
    let seen: Record<string, unknown> = {};
    token.action((flags: Record<string, unknown>) => {
      seen = flags;
    });
    await program.parseAsync(['idp', 'token', ...args], { from: 'user' });
    return { ...seen };
  }

  it('parses the flags exactly as commander does', async () => {
    const cases = [
      ['--audience', 'a'],
      ['--audience', 'a', '--audience=b', '--lifetime', '15m', '--decode'],
      ['--audience', 'a', '--output-file', '/tmp/t', '--refresh', '--background', '--pid-file', '/tmp/p'],
      ['--host', 'http://h:1', '--token', 'envid_pat_x', '--audience', 'a'],
      ['--lifetime', '15m', '--audience', 'a', '--lifetime=1h', '--decode', '--decode'],
      ['--audience', 'a', '--decode=jose'],
      ['--decode=yes', '--audience', 'a'],
      ['--audience='],
      [],
    ];
    for (const args of cases) {
      expect(parseTokenArgsFast(args)).toEqual(await parsedByCommander(args));
    }
  });

  it('leaves help, unknown flags, missing values and stray arguments to commander', () => {
    for (const args of [
      ['--help'],
      ['-h'],
      ['--audience'],
      ['--audience', 'a', '--bogus'],
      ['--audience', 'a', 'stray'],
      ['--decode', 'jose'],
      ['--audience', '-a'],
      ['-a', 'x'],
      ['--', '--audience', 'a'],
      ['--audience', 'a', '--'],
    ]) {
      expect(parseTokenArgsFast(args)).toBeUndefined();
    }
  });
});

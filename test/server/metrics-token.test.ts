import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMetricsToken } from '../../src/server/metrics/load-metrics-token.ts';
import { bearerMatches } from '../../src/server/metrics/metrics-access.ts';

describe('the metrics token file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'envid-metrics-token-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('is the contents without one trailing newline', () => {
    expect(loadMetricsToken(file('lf', '0123456789abcdef0123\n'))).toBe('0123456789abcdef0123');
    expect(loadMetricsToken(file('crlf', '0123456789abcdef0123\r\n'))).toBe('0123456789abcdef0123');
    expect(loadMetricsToken(file('bare', '0123456789abcdef'))).toBe('0123456789abcdef');
  });

  it('refuses a short token, spaces, two lines or an empty file, without echoing the contents', () => {
    for (const text of ['', 'short-secret\n', 'has a space in it 0123\n', 'first-line-0123456\nsecond\n']) {
      const path = file('bad', text);
      expect(() => loadMetricsToken(path), JSON.stringify(text)).toThrow(
        `--metrics-token-file (ENVID_METRICS_TOKEN_FILE): ${path} must hold one token of 16 to 4096 printable characters`,
      );
      try {
        loadMetricsToken(path);
      } catch (error) {
        if (text) expect((error as Error).message).not.toContain(text.trim().split('\n')[0]);
      }
    }
  });

  it('names a file it cannot read, with the reason', () => {
    expect(() => loadMetricsToken(join(dir, 'absent'))).toThrow(/cannot read .*absent: ENOENT$/);
  });
});

describe('bearerMatches', () => {
  const token = 'metrics-token-0123456789';
  it('accepts exactly "Bearer <token>"', () => {
    expect(bearerMatches(`Bearer ${token}`, token)).toBe(true);
    for (const header of [
      undefined,
      '',
      token,
      `bearer ${token}`,
      `Bearer  ${token}`,
      `Bearer ${token}x`,
      'Bearer ',
    ]) {
      expect(bearerMatches(header, token), String(header)).toBe(false);
    }
  });
});

import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  deleteCredentialsFile,
  readCredentialsFile,
  writeCredentialsFile,
} from '../../src/cli/config/credentials-file.ts';
import { refreshDelayMs, retryDelayMs } from '../../src/cli/idp/refresh-schedule.ts';
import { credentialsPath } from '../../src/shared/config-paths.ts';
import { decodeJwt } from '../../src/shared/decode-jwt.ts';
import { writeFileAtomic } from '../../src/shared/write-file-atomic.ts';
import { removeDir } from '../support/envid-process.ts';
import { jwtPart } from '../support/jwt-parts.ts';

const dir = mkdtempSync(join(tmpdir(), 'envid-cli-files-'));
afterAll(() => removeDir(dir));

describe('writeFileAtomic', () => {
  it('replaces the file whole with the given mode and leaves no temporary file', async () => {
    const path = join(dir, 'token');
    writeFileSync(path, 'old', { mode: 0o644 });
    await writeFileAtomic(path, 'new-content', 0o600);
    expect(readFileSync(path, 'utf8')).toBe('new-content');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['token']);
  });

  it('names the directory, not its temporary file, when the directory does not exist', async () => {
    const missing = join(dir, 'missing');
    await expect(writeFileAtomic(join(missing, 'token'), 'x', 0o600)).rejects.toMatchObject({
      message: `directory ${missing} does not exist`,
      code: 'ENOENT',
    });
    const file = join(dir, 'plain-file');
    writeFileSync(file, '');
    await expect(writeFileAtomic(join(file, 'token'), 'x', 0o600)).rejects.toMatchObject({
      message: `${file} is not a directory`,
      code: 'ENOTDIR',
    });
  });
});

describe('the credentials file', () => {
  const env = { HOME: join(dir, 'home'), XDG_CONFIG_HOME: join(dir, 'xdg') };

  it('is written with mode 0600 in a 0700 directory, read back and deleted', async () => {
    expect(await readCredentialsFile(env)).toBeUndefined();
    const path = await writeCredentialsFile(env, { host: 'http://h:1', token: 't' });
    expect(path).toBe(join(dir, 'xdg', 'envid', 'credentials.json'));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'xdg', 'envid')).mode & 0o777).toBe(0o700);
    expect(await readCredentialsFile(env)).toEqual({ host: 'http://h:1', token: 't' });
    expect(await deleteCredentialsFile(env)).toBe(true);
    expect(await deleteCredentialsFile(env)).toBe(false);
  });

  it('reports a malformed file as a usage error naming it', async () => {
    await writeCredentialsFile(env, { host: 'h', token: 't' });
    writeFileSync(credentialsPath(env), '{"host": 1}');
    await expect(readCredentialsFile(env)).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringContaining('credentials.json'),
    });
  });
});

describe('decoding and the refresh schedule', () => {
  const token = `${jwtPart({ alg: 'RS256', kid: 'k' })}.${jwtPart({ iat: 1000, exp: 1060, aud: 'a' })}.sig`;

  it('decodes header and claims', () => {
    expect(decodeJwt(token)).toEqual({
      Header: { alg: 'RS256', kid: 'k' },
      Claims: { iat: 1000, exp: 1060, aud: 'a' },
    });
    expect(() => decodeJwt('nope')).toThrow(/not a JWT/);
  });

  it('renews at 2/3 of the lifetime, never sooner than 1 s, and scales for tests', () => {
    const decoded = decodeJwt(token);
    expect(refreshDelayMs(decoded, 1_000_000, {})).toBe(40_000);
    expect(refreshDelayMs(decoded, 1_010_000, {})).toBe(30_000);
    expect(refreshDelayMs(decoded, 1_059_000, {})).toBe(1000);
    expect(refreshDelayMs(decoded, 1_000_000, { ENVID_CLI_TEST_TIME_SCALE: '100' })).toBe(400);
    expect(retryDelayMs(decoded, 1_040_000, {})).toBe(5000);
    expect(retryDelayMs(decoded, 1_000_000, {})).toBe(15_000);
  });
});

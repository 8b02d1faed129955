import { describe, expect, it } from 'vitest';
import { parseLoginOptions } from '../../src/cli/config/login-options.ts';
import { normalizeHost, resolveConnection } from '../../src/cli/config/resolve-connection.ts';
import { configDir, credentialsPath } from '../../src/shared/config-paths.ts';
import { CliError } from '../../src/shared/exit-codes.ts';
import { usageMessage } from '../support/usage-message.ts';

const saved = { host: 'https://saved.example', token: 'saved-token' };
const path = '/home/u/.config/envid/credentials.json';

describe('host and credential', () => {
  it('take flags first, then the environment, then the saved login', () => {
    const env = { ENVID_HOST: 'https://env.example', ENVID_TOKEN: 'env-token' };
    expect(
      resolveConnection({ host: 'https://flag.example', token: 'flag-token' }, env, saved, path),
    ).toEqual({
      host: 'https://flag.example',
      token: 'flag-token',
      tokenSource: '--token',
    });
    expect(resolveConnection({}, env, saved, path)).toEqual({
      host: 'https://env.example',
      token: 'env-token',
      tokenSource: 'ENVID_TOKEN',
    });
    expect(resolveConnection({}, {}, saved, path)).toEqual({
      host: 'https://saved.example',
      token: 'saved-token',
      tokenSource: path,
    });
    expect(resolveConnection({}, { ENVID_HOST: '' }, saved, path).host).toBe('https://saved.example');
  });

  it('sends the saved credential only to the saved host', () => {
    expect(resolveConnection({ host: 'https://saved.example/' }, {}, saved, path).token).toBe('saved-token');
    const message = usageMessage(() => resolveConnection({ host: 'https://other.example' }, {}, saved, path));
    expect(message).toMatch(/no credential for https:\/\/other\.example/);
  });

  it('names the flag, the environment variable and envid login when something is missing', () => {
    const noHost = usageMessage(() => resolveConnection({}, {}, undefined, path));
    expect(noHost).toMatch(/--host/);
    expect(noHost).toMatch(/ENVID_HOST/);
    expect(noHost).toMatch(/envid login/);
    const noToken = usageMessage(() =>
      resolveConnection({ host: 'http://127.0.0.1:8080' }, {}, undefined, path),
    );
    expect(noToken).toMatch(/--token/);
    expect(noToken).toMatch(/ENVID_TOKEN/);
    expect(noToken).toMatch(/envid login/);
  });

  it('normalizes hosts and refuses what is not an http(s) URL', () => {
    expect(normalizeHost('http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080');
    expect(normalizeHost('envid.example.com')).toBe('https://envid.example.com');
    expect(normalizeHost('https://example.com/envid/')).toBe('https://example.com/envid');
    for (const bad of ['ftp://x', 'http://', 'https://u:p@x', 'https://x/?a=1']) {
      expect(usageMessage(() => normalizeHost(bad))).toMatch(/invalid envid host/);
    }
  });
});

describe('envid login flags', () => {
  it('take the flags, else the environment, never a saved file; --token - reads stdin', () => {
    expect(parseLoginOptions({ host: 'http://h:1', token: 't' }, {})).toEqual({
      host: 'http://h:1',
      token: 't',
      tokenSource: '--token',
    });
    expect(parseLoginOptions({}, { ENVID_HOST: 'http://h:1', ENVID_TOKEN: 'e' }).tokenSource).toBe(
      'ENVID_TOKEN',
    );
    expect(parseLoginOptions({ host: 'http://h:1', token: '-' }, {}, ' s\n').token).toBe('s');
    expect(usageMessage(() => parseLoginOptions({ token: 't' }, {}))).toMatch(/--host.*ENVID_HOST/);
    expect(usageMessage(() => parseLoginOptions({ host: 'http://h:1' }, {}))).toMatch(/--token.*ENVID_TOKEN/);
    expect(usageMessage(() => parseLoginOptions({ host: 'http://h:1', token: '-' }, {}, '\n'))).toMatch(
      /--token/,
    );
  });
});

describe('the config directory', () => {
  it('honours XDG_CONFIG_HOME, else uses ~/.config', () => {
    expect(configDir({ HOME: '/home/u', XDG_CONFIG_HOME: '/xdg' })).toBe('/xdg/envid');
    expect(configDir({ HOME: '/home/u', XDG_CONFIG_HOME: 'relative' })).toBe('/home/u/.config/envid');
    expect(credentialsPath({ HOME: '/home/u' })).toBe(path);
  });
});

it('CliError is what the parsers throw', () => {
  expect(() => normalizeHost('ftp://x')).toThrow(CliError);
});

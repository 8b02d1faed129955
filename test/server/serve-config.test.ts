import { describe, expect, it } from 'vitest';
import { ConfigError, resolveServeConfig } from '../../src/server/config.ts';

describe('envid serve --trust-proxy (ENVID_TRUST_PROXY)', () => {
  it('trusts no proxy unless told', () => {
    expect(resolveServeConfig({}, {}).trustProxy).toBeUndefined();
    expect(resolveServeConfig({}, { ENVID_TRUST_PROXY: '' }).trustProxy).toBeUndefined();
  });

  it('takes addresses, CIDR ranges and named ranges, comma-separated; the flag wins', () => {
    expect(
      resolveServeConfig({ trustProxy: '127.0.0.1, 10.0.0.0/8,::1,fd00::/8 ,loopback' }, {}).trustProxy,
    ).toEqual(['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8', 'loopback']);
    expect(resolveServeConfig({}, { ENVID_TRUST_PROXY: '192.168.1.2' }).trustProxy).toEqual(['192.168.1.2']);
    expect(
      resolveServeConfig({ trustProxy: '10.1.1.1' }, { ENVID_TRUST_PROXY: '192.168.1.2' }).trustProxy,
    ).toEqual(['10.1.1.1']);
  });

  it('refuses anything else, naming the flag, its variable and the entry', () => {
    for (const [value, entry] of [
      ['proxy.example.com', 'proxy.example.com'],
      ['127.0.0.1,10.0.0.0/33', '10.0.0.0/33'],
      ['::1/129', '::1/129'],
      ['10.0.0.0/8/8', '10.0.0.0/8/8'],
      ['1.2.3', '1.2.3'],
      ['10.0.0.0/x', '10.0.0.0/x'],
      [' , ', ' , '],
    ]) {
      const refusal = () => resolveServeConfig({ trustProxy: value }, {});
      expect(refusal).toThrow(ConfigError);
      expect(refusal).toThrow(`--trust-proxy (ENVID_TRUST_PROXY): "${entry}" is not an IP address`);
    }
  });
});

describe('envid serve --database-connect-timeout and --database-query-timeout', () => {
  it('default to 2 and 5 seconds and take fractions from flags or variables', () => {
    expect(resolveServeConfig({}, {})).toMatchObject({ databaseConnectTimeout: 2, databaseQueryTimeout: 5 });
    expect(
      resolveServeConfig(
        { databaseQueryTimeout: '0.5' },
        { ENVID_DATABASE_CONNECT_TIMEOUT: '1.5', ENVID_DATABASE_QUERY_TIMEOUT: '30' },
      ),
    ).toMatchObject({ databaseConnectTimeout: 1.5, databaseQueryTimeout: 0.5 });
  });

  it('refuses what is not a number of seconds in range, naming the flag and its variable', () => {
    expect(() => resolveServeConfig({ databaseConnectTimeout: 'soon' }, {})).toThrow(
      '--database-connect-timeout (ENVID_DATABASE_CONNECT_TIMEOUT): must be a number of seconds, e.g. 2 or 0.5',
    );
    expect(() => resolveServeConfig({}, { ENVID_DATABASE_QUERY_TIMEOUT: '0' })).toThrow(
      '--database-query-timeout (ENVID_DATABASE_QUERY_TIMEOUT): must be between 0.1 and 3600 seconds',
    );
    expect(() => resolveServeConfig({ databaseConnectTimeout: '61' }, {})).toThrow(
      'must be between 0.1 and 60 seconds',
    );
  });
});

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

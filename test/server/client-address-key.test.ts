import { describe, expect, it } from 'vitest';
import { clientAddressKey } from '../../src/server/limits/client-address-key.ts';

describe('clientAddressKey', () => {
  it('keys IPv4 by the address, also when written IPv4-mapped', () => {
    expect(clientAddressKey('192.0.2.7')).toBe('192.0.2.7');
    expect(clientAddressKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(clientAddressKey('::FFFF:192.0.2.7')).toBe('192.0.2.7');
  });

  it('keys IPv6 by its /64, however it is written', () => {
    for (const address of [
      '2001:db8:1:2::5',
      '2001:0db8:0001:0002:0000:0000:0000:0005',
      '2001:DB8:1:2:ffff:ffff:ffff:ffff',
      '2001:db8:1:2:1:2:192.0.2.1',
      '2001:db8:1:2::1%eth0',
    ]) {
      expect(clientAddressKey(address)).toBe('2001:db8:1:2::/64');
    }
    expect(clientAddressKey('::1')).toBe('0:0:0:0::/64');
    expect(clientAddressKey('2001:db8::')).toBe('2001:db8:0:0::/64');
    expect(clientAddressKey('2001:db8:1:3::5')).toBe('2001:db8:1:3::/64');
  });

  it('keys anything else by itself', () => {
    expect(clientAddressKey('')).toBe('');
    expect(clientAddressKey('unix:/run/envid.sock')).toBe('unix:/run/envid.sock');
  });
});

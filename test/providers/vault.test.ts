import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VaultError, vaultLoginUrl } from '../../src/relying-parties/vault/exchange.ts';
import { explainVaultError } from '../../src/relying-parties/vault/explain.ts';
import { parseVaultAddress, parseVaultMount, parseVaultRole } from '../../src/relying-parties/vault/rules.ts';
import { configuredTokenHelper } from '../../src/relying-parties/vault/token-store.ts';

const context = {
  address: 'https://vault.example.com',
  mount: 'jwt',
  role: 'dev',
  audience: 'vault.hashicorp.com',
};

describe('Vault rules', () => {
  it('checks the address, mount and role', () => {
    expect(parseVaultAddress('https://vault.example.com:8200/')).toBe('https://vault.example.com:8200');
    expect(() => parseVaultAddress('vault.example.com')).toThrow(/expected a URL/);
    expect(() => parseVaultAddress('ftp://vault')).toThrow(/scheme must be https/);
    expect(parseVaultMount('/team-a/jwt/')).toBe('team-a/jwt');
    expect(() => parseVaultMount('../sys')).toThrow(/mount path/);
    expect(() => parseVaultMount('a b')).toThrow(/mount path/);
    expect(parseVaultRole('Dev-Env')).toBe('Dev-Env');
    expect(() => parseVaultRole('dev env')).toThrow(/role name/);
    expect(vaultLoginUrl('https://v', 'team-a/jwt')).toBe('https://v/v1/auth/team-a/jwt/login');
  });

  it('reads a simple token_helper line from the vault CLI configuration only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'envid-vault-config-'));
    const path = join(dir, 'config.hcl');
    expect(await configuredTokenHelper({ HOME: dir, VAULT_CONFIG_PATH: path })).toBeUndefined();
    writeFileSync(path, '# comment\ntoken_helper = "/usr/local/bin/helper" # stores tokens\n');
    expect(await configuredTokenHelper({ HOME: dir, VAULT_CONFIG_PATH: path })).toBe('/usr/local/bin/helper');
    writeFileSync(join(dir, '.vault'), 'token_helper="/opt/h"\n');
    expect(await configuredTokenHelper({ HOME: dir })).toBe('/opt/h');
  });

  it('explains old Vaults, missing input and anything unknown', () => {
    const old = explainVaultError(new VaultError(400, ['missing client token']), context);
    expect(old.meaning).toContain('no JWT auth method is mounted at auth/jwt');
    const route = explainVaultError(new VaultError(404, ['no handler for route "auth/x/login"']), context);
    expect(route.nextStep).toContain('vault auth enable -path=jwt jwt');
    const noRole = explainVaultError(new VaultError(400, ['missing role']), context);
    expect(noRole.meaning).toBe('the login request lacked the role or the JWT');
    const other = explainVaultError(new VaultError(400, ['something new']), context);
    expect(other).toMatchObject({ code: 'HTTP 400', meaning: 'Vault refused the login' });
    expect(other.nextStep).toContain('vault read auth/jwt/role/dev');
  });
});

import { describe, expect, it } from 'vitest';
import { hasStaticKeys, setProfileValues } from '../../src/relying-parties/aws/config-file.ts';

const values = { credential_process: 'envid idp aws-credentials' };

describe('editing one profile of ~/.aws/config', () => {
  it('appends a missing profile after the others, with a blank line between', () => {
    expect(setProfileValues('', 'dev', values, [])).toBe(
      '[profile dev]\ncredential_process = envid idp aws-credentials\n',
    );
    expect(setProfileValues('[default]\nregion = x', 'dev', values, [])).toBe(
      '[default]\nregion = x\n\n[profile dev]\ncredential_process = envid idp aws-credentials\n',
    );
  });

  it('replaces keys in place, drops competing keys with their nested lines, keeps everything else', () => {
    const before = [
      '[default]',
      'credential_process = keep me',
      '[profile dev] # mine',
      'output = json',
      'CREDENTIAL_PROCESS = old',
      's3 =',
      '  max_concurrent_requests = 20',
      'role_arn = arn',
      '; comment',
      '',
      '[profile other]',
      'role_arn = other',
      '',
    ].join('\n');
    expect(setProfileValues(before, 'dev', { ...values, region: 'eu-west-1' }, ['role_arn', 's3'])).toBe(
      [
        '[default]',
        'credential_process = keep me',
        '[profile dev] # mine',
        'output = json',
        'credential_process = envid idp aws-credentials',
        '; comment',
        'region = eu-west-1',
        '',
        '[profile other]',
        'role_arn = other',
        '',
      ].join('\n'),
    );
  });

  it('treats [profile default] as the default profile', () => {
    expect(setProfileValues('[profile default]\nregion = a\n', 'default', values, [])).toBe(
      '[profile default]\nregion = a\ncredential_process = envid idp aws-credentials\n',
    );
  });

  it('finds static keys of a profile in the credentials file', () => {
    const file = '[default]\naws_access_key_id = AKIA\n[dev]\nregion = x\n';
    expect(hasStaticKeys(file, 'default')).toBe(true);
    expect(hasStaticKeys(file, 'dev')).toBe(false);
  });
});

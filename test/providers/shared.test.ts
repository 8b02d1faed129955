import { describe, expect, it } from 'vitest';
import { explainProviderError, readTokenFacts } from '../../src/relying-parties/support/explain-error.ts';
import { optionalValue, requiredValue } from '../../src/relying-parties/support/required-value.ts';
import { CliError, ExitCode } from '../../src/shared/exit-codes.ts';
import { checkFederatedCredentials } from '../stand-ins/azure-entra.ts';
import { thrown } from '../support/thrown.ts';

const jwt = (claims: object) =>
  `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2ln`;

describe('flag-or-environment values', () => {
  const source = { flag: '--role-arn', envVar: 'IDP_AWS_ROLE_ARN', example: 'arn:aws:iam::1:role/r' };

  it('takes the flag over the environment, trims, and treats empty as missing', () => {
    expect(requiredValue('a', { IDP_AWS_ROLE_ARN: 'b' }, source)).toBe('a');
    expect(requiredValue(undefined, { IDP_AWS_ROLE_ARN: ' b ' }, source)).toBe('b');
    expect(optionalValue(undefined, { X: '' }, 'X')).toBeUndefined();
    expect(optionalValue('', {}, 'X')).toBeUndefined();
  });

  it('names the flag, its environment variable and an example when missing', () => {
    const error = thrown(() => requiredValue(undefined, { IDP_AWS_ROLE_ARN: '' }, source), CliError);
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toBe(
      'missing --role-arn (or the environment variable IDP_AWS_ROLE_ARN), e.g. --role-arn arn:aws:iam::1:role/r',
    );
  });
});

describe('provider error explanations', () => {
  it('reads iss, sub and aud without verifying; "?" for what is not there', () => {
    expect(readTokenFacts(jwt({ iss: 'https://i', sub: 's', aud: ['a', 'b'] }))).toEqual({
      iss: 'https://i',
      sub: 's',
      aud: 'a, b',
    });
    expect(readTokenFacts('not a jwt')).toEqual({ iss: '?', sub: '?', aud: '?' });
  });

  it('puts code, meaning, provider words, token facts, expectations and the next step in one message, never the token', () => {
    const token = jwt({ iss: 'https://i', sub: 'env:1', aud: 'api://AzureADTokenExchange' });
    const error = explainProviderError({
      provider: 'Azure (Entra ID)',
      code: 'AADSTS70021',
      meaning: 'no federated identity credential matches the token',
      token,
      expected: { aud: 'api://AzureADTokenExchange', clientId: undefined },
      nextStep: 'register subject env:1',
      providerMessage: 'AADSTS70021: No matching federated identity record found.\r\nTrace ID: x',
    });
    expect(error.exitCode).toBe(ExitCode.authentication);
    expect(error.message).toBe(
      [
        'Azure (Entra ID) refused the exchange: AADSTS70021: no federated identity credential matches the token',
        '  provider said: AADSTS70021: No matching federated identity record found.',
        '  token:    iss https://i  sub env:1  aud api://AzureADTokenExchange',
        '  expected: aud api://AzureADTokenExchange',
        '  next:     register subject env:1',
      ].join('\n'),
    );
    expect(error.message).not.toContain(token);
  });

  it('labels what a hidden rule must hold as such, beside what the provider expected', () => {
    const error = explainProviderError({
      provider: 'AWS STS',
      code: 'AccessDenied',
      meaning: 'the trust policy does not allow this token',
      rule: {
        holder: 'the trust policy of arn:aws:iam::1:role/dev',
        values: { sub: 'env:1', aud: undefined },
      },
      expected: { DurationSeconds: '3600' },
      nextStep: 'update the trust policy',
    });
    expect(error.message.split('\n')[1]).toBe(
      '  expected: the trust policy of arn:aws:iam::1:role/dev must hold: sub env:1; DurationSeconds 3600',
    );
  });
});

describe('the Entra stand-in takes only credentials Microsoft Graph would create', () => {
  const credential = {
    name: 'envid-dev',
    issuer: 'https://i',
    subject: 's',
    audiences: ['api://AzureADTokenExchange'],
  };

  it('refuses bad names, long issuers or subjects, several audiences, duplicates and more than 20', () => {
    expect(() => checkFederatedCredentials([credential])).not.toThrow();
    expect(() => checkFederatedCredentials([{ ...credential, name: '-x' }])).toThrow(/name/);
    expect(() => checkFederatedCredentials([{ ...credential, subject: 's'.repeat(601) }])).toThrow(/600/);
    expect(() => checkFederatedCredentials([{ ...credential, audiences: ['a', 'b'] }])).toThrow(
      /one audience/,
    );
    expect(() => checkFederatedCredentials([credential, { ...credential, name: 'other' }])).toThrow(/unique/);
    const many = Array.from({ length: 21 }, (_, i) => ({ ...credential, name: `c-${i}x`, subject: `s${i}` }));
    expect(() => checkFederatedCredentials(many)).toThrow(/at most 20/);
  });
});

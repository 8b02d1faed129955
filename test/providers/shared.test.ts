import { describe, expect, it } from 'vitest';
import { CliError, ExitCode } from '../../src/cli/exit-codes.ts';
import { optionalValue, requiredValue } from '../../src/cli/idp/required-value.ts';
import { explainProviderError, readTokenFacts } from '../../src/providers/explain-error.ts';
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
});

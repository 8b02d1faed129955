import { describe, expect, it } from 'vitest';
import { tokenProblemsForAws } from '../../src/relying-parties/aws/rules.ts';
import { tokenProblemsForAzure } from '../../src/relying-parties/azure/rules.ts';
import { jwtPart } from '../support/jwt-parts.ts';

const jwt = (header: object, claims: object) => `${jwtPart(header)}.${jwtPart(claims)}.c2ln`;
const good = { iss: 'https://envid.example.com', sub: 'org:1:env:2', aud: 'x' };

describe('what each provider refuses in a token before any trust is looked at (docs/providers/)', () => {
  it('Azure: RS256 with a kid, an https issuer, issuer and subject of at most 600 characters', () => {
    expect(tokenProblemsForAzure(jwt({ alg: 'RS256', kid: 'k' }, good))).toEqual([]);
    expect(
      tokenProblemsForAzure(
        jwt(
          { alg: 'ES256' },
          { ...good, iss: `http://envid.example.com/${'p'.repeat(600)}`, sub: 's'.repeat(601) },
        ),
      ),
    ).toEqual([
      'alg is ES256; Entra accepts only RS256',
      'the header has no kid',
      `iss http://envid.example.com/${'p'.repeat(600)} is not https; Entra only trusts https issuers`,
      'iss has 625 characters; a federated credential holds at most 600',
      "sub has 601 characters; a federated credential holds at most 600 (shorten the organization's sub format)",
    ]);
  });

  it('AWS: 4 to 20,000 characters, RS/ES 256-512, an https issuer of at most 255 characters', () => {
    expect(tokenProblemsForAws(jwt({ alg: 'ES384', kid: 'k' }, good))).toEqual([]);
    const long = jwt(
      { alg: 'HS256' },
      { ...good, iss: `https://e.example/${'p'.repeat(240)}`, pad: 'x'.repeat(20_000) },
    );
    expect(tokenProblemsForAws(long)).toEqual([
      `the token has ${long.length} characters; STS accepts 4 to 20,000`,
      'alg is HS256; STS accepts RS256, RS384, RS512, ES256, ES384, ES512',
      'iss has 258 characters; an IAM OIDC provider URL holds at most 255',
    ]);
    expect(tokenProblemsForAws('abc')).toEqual([
      'the token has 3 characters; STS accepts 4 to 20,000',
      'the token is not a JWT',
    ]);
  });
});

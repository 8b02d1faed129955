import { describe, expect, it } from 'vitest';
import { printDecoded } from '../../src/cli/idp/print-decoded.ts';
import { decodeJwt } from '../../src/shared/decode-jwt.ts';
import { jwtPart } from '../support/jwt-parts.ts';

const header = { alg: 'RS256', typ: 'JWT', kid: 'wFWZRSJMEENvphAZj5Ljc5SRCVyAgjGRJqgD5fcDosM' };
const claims = {
  iss: 'https://envid.example.com',
  sub: 'organization_id:o1:user_id:u1',
  aud: ['vault', 'sts.amazonaws.com'],
  iat: 1772366400,
  idp_claims: { groups: ['ops', 'eng'], department: 'r&d <ml>' },
  email: 'ada@example.com',
};
const decoded = decodeJwt(`${jwtPart(header)}.${jwtPart(claims)}.c2ln`);

describe('envid idp token --decode', () => {
  it("prints what Ona's CLI prints: sorted claims and go-jose's header structs", () => {
    expect(printDecoded(decoded, 'ona')).toBe(
      `${[
        '{',
        '  "Claims": {',
        '    "aud": [',
        '      "vault",',
        '      "sts.amazonaws.com"',
        '    ],',
        '    "email": "ada@example.com",',
        '    "iat": 1772366400,',
        '    "idp_claims": {',
        '      "department": "r\\u0026d \\u003cml\\u003e",',
        '      "groups": [',
        '        "ops",',
        '        "eng"',
        '      ]',
        '    },',
        '    "iss": "https://envid.example.com",',
        '    "sub": "organization_id:o1:user_id:u1"',
        '  },',
        '  "Header": [',
        '    {',
        '      "KeyID": "wFWZRSJMEENvphAZj5Ljc5SRCVyAgjGRJqgD5fcDosM",',
        '      "JSONWebKey": null,',
        '      "Algorithm": "RS256",',
        '      "Nonce": "",',
        '      "ExtraHeaders": null',
        '    }',
        '  ]',
        '}',
      ].join('\n')}\n`,
    );
    // The escapes are JSON's: the values read back unchanged.
    expect(JSON.parse(printDecoded(decoded, 'ona')).Claims.idp_claims.department).toBe('r&d <ml>');
  });

  it('prints the JOSE header and the claims as signed with --decode=jose', () => {
    const printed = printDecoded(decoded, 'jose');
    expect(JSON.parse(printed)).toEqual({ Header: header, Claims: claims });
    expect(Object.keys(JSON.parse(printed).Claims)).toEqual(Object.keys(claims));
  });
});

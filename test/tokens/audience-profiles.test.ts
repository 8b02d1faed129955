import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/core/errors.ts';
import {
  buildTokenClaims,
  buildTokenPayload,
  type TokenProfile,
  type TokenRequest,
} from '../../src/core/tokens/issue-token.ts';
import {
  parseAudiencePattern,
  patternMatches,
  patternsOverlap,
} from '../../src/core/tokens/profiles/audience-pattern.ts';
import { resolveExtraClaims, validateExtraClaims } from '../../src/core/tokens/profiles/extra-claims.ts';
import {
  matchable,
  profileForAudience,
  profileForAudiences,
} from '../../src/core/tokens/profiles/select-profile.ts';
import {
  checkNoTies,
  parseAudienceProfileSettings,
} from '../../src/core/tokens/profiles/validate-profile.ts';
import { thrown } from '../support/thrown.ts';
import { subjects } from './principals.ts';

// A small alphabet makes overlaps and ties common enough to exercise.
const literal = fc.stringMatching(/^[ab.]{0,4}$/);
const glob = fc
  .array(literal, { minLength: 1, maxLength: 4 })
  .map((pieces) => pieces.join('*'))
  .filter((p) => p.replaceAll('*', '') !== '' && !p.includes('**'));
// Short enough that every common string of two of them is among the strings of up to 8 characters.
const shortGlob = fc
  .array(fc.stringMatching(/^[ab.]{0,2}$/), { minLength: 1, maxLength: 3 })
  .map((pieces) => pieces.join('*'))
  .filter((p) => p.replaceAll('*', '') !== '' && !p.includes('**') && p.replaceAll('*', '').length <= 4);
const audience = fc.stringMatching(/^[ab.]{1,8}$/);

/** The meaning of a pattern, by a regular expression: the reference the matcher is checked against. */
const regexOf = (pattern: string) =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((s) => s.replace(/[.]/g, '\\.'))
      .join('.*')}$`,
  );

const errorOf = (run: () => unknown) => thrown(run, ApiError);

describe('audience patterns', () => {
  it('match exactly what the regular expression of the pattern matches', () => {
    fc.assert(
      fc.property(glob, audience, (pattern, aud) => {
        expect(patternMatches(parseAudiencePattern(pattern, 'p'), aud)).toBe(regexOf(pattern).test(aud));
      }),
      { numRuns: 2000 },
    );
  });

  it('overlap exactly when some audience matches both', () => {
    // Every common string of two patterns can be shortened to one no longer than both patterns put together.
    const all: string[] = [''];
    for (let n = 1; n <= 8; n++)
      for (const s of all.filter((x) => x.length === n - 1)) for (const c of 'ab.') all.push(s + c);
    fc.assert(
      fc.property(shortGlob, shortGlob, (a, b) => {
        const ra = regexOf(a);
        const rb = regexOf(b);
        const witness = all.some((s) => ra.test(s) && rb.test(s));
        expect(patternsOverlap(a, b)).toBe(witness);
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    ['', 'p: must not be empty'],
    ['*', 'p: must contain a character besides "*"'],
    ['a**b', 'p: must not contain "**"'],
    ['a b', 'p: must not contain whitespace or control characters'],
    ['x'.repeat(257), 'p: is 257 characters long; at most 256 are allowed'],
  ])('refuses %j', (input, message) => {
    expect(errorOf(() => parseAudiencePattern(input, 'p')).message).toContain(message);
  });
});

describe('profile precedence', () => {
  const profiles = [
    matchable({ name: 'azure', audiences: ['api://AzureADTokenExchange'] }),
    matchable({ name: 'vault', audiences: ['vault*', 'https://vault.*.example.com'] }),
    matchable({ name: 'vault-prod', audiences: ['vault-prod*'] }),
    matchable({ name: 'exact-vault', audiences: ['vault-prod-1'] }),
  ];
  it.each([
    ['api://AzureADTokenExchange', 'azure'],
    ['vault-dev', 'vault'],
    ['vault-prod-2', 'vault-prod'],
    ['vault-prod-1', 'exact-vault'],
    ['https://vault.eu.example.com', 'vault'],
    ['sts.amazonaws.com', undefined],
  ])('%s -> %s', (aud, name) => {
    expect(profileForAudience(profiles, aud)?.name).toBe(name);
  });

  it('an exact audience beats every glob that also matches it', () => {
    fc.assert(
      fc.property(
        fc.array(
          glob.filter((g) => g.includes('*')),
          { maxLength: 5 },
        ),
        audience,
        (globs, aud) => {
          const set = [
            matchable({ name: 'globs', audiences: [...new Set(globs)].slice(0, 5) }),
            matchable({ name: 'exact', audiences: [aud] }),
          ];
          expect(profileForAudience(set, aud)?.name).toBe('exact');
        },
      ),
    );
  });

  it('the chosen profile holds a matching pattern no other matching pattern is more specific than', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(glob, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 4 }),
        audience,
        (sets, aud) => {
          const all = sets.map((audiences, i) =>
            matchable({ name: `p${i}`, audiences: [...new Set(audiences)] }),
          );
          const chosen = profileForAudience(all, aud);
          const ranks = all.flatMap((p) =>
            p.patterns
              .filter((pt) => patternMatches(pt, aud))
              .map((pt) => ({ p, rank: pt.exact ? Number.MAX_SAFE_INTEGER : pt.literalLength })),
          );
          if (ranks.length === 0) {
            expect(chosen).toBeUndefined();
            return;
          }
          const best = Math.max(...ranks.map((r) => r.rank));
          expect(ranks.some((r) => r.p === chosen && r.rank === best)).toBe(true);
        },
      ),
    );
  });

  it('profiles saved without ties choose the same profile whatever their order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(glob, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 4 }),
        audience,
        (sets, aud) => {
          const accepted: { name: string; audiences: string[] }[] = [];
          sets.forEach((audiences, i) => {
            const candidate = { name: `p${i}`, audiences: [...new Set(audiences)] };
            try {
              checkNoTies(candidate, accepted);
              accepted.push(candidate);
            } catch (error) {
              if (!(error instanceof ApiError)) throw error;
            }
          });
          const forward = profileForAudience(accepted.map(matchable), aud)?.name;
          const backward = profileForAudience([...accepted].reverse().map(matchable), aud)?.name;
          expect(backward).toBe(forward);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses ties at save time, naming both patterns and the other profile', () => {
    const message = errorOf(() =>
      checkNoTies({ name: 'b', audiences: ['x', 'a*c'] }, [{ name: 'a', audiences: ['ab*'] }]),
    ).message;
    expect(message).toBe(
      'audiences[1]: "a*c" ties with "ab*" of profile "a": some audience matches both equally; make one more specific',
    );
    expect(
      errorOf(() => checkNoTies({ name: 'b', audiences: ['x'] }, [{ name: 'a', audiences: ['x'] }])).message,
    ).toContain('ties with "x"');
    // A longer prefix is no tie: it wins.
    expect(() =>
      checkNoTies({ name: 'b', audiences: ['abc*'] }, [{ name: 'a', audiences: ['ab*'] }]),
    ).not.toThrow();
    // The profile being updated is not compared with its stored self.
    expect(() =>
      checkNoTies({ name: 'a', audiences: ['ab*'] }, [{ name: 'a', audiences: ['ab*'] }]),
    ).not.toThrow();
  });
});

describe('a request with several audiences', () => {
  const profiles = [
    matchable({ name: 'aws', audiences: ['sts.amazonaws.com', 'aws-*'] }),
    matchable({ name: 'gcp', audiences: ['//iam.googleapis.com/*'] }),
  ];
  it('takes the one profile they all resolve to', () => {
    expect(profileForAudiences(profiles, ['sts.amazonaws.com', 'aws-x'])?.name).toBe('aws');
    expect(profileForAudiences(profiles, ['a', 'b'])).toBeUndefined();
    expect(profileForAudiences([], ['a', 'b'])).toBeUndefined();
  });
  it('is refused when they resolve to different profiles, naming each', () => {
    const error = errorOf(() =>
      profileForAudiences(profiles, ['sts.amazonaws.com', 'other', '//iam.googleapis.com/x']),
    );
    expect(error.code).toBe('invalid_argument');
    expect(error.message).toBe(
      'audience: the audiences resolve to different audience profiles ("sts.amazonaws.com" -> profile "aws", "other" -> the default profile, "//iam.googleapis.com/x" -> profile "gcp"); ask for a separate token per profile',
    );
  });
});

describe('profile validation', () => {
  const valid = { name: 'azure', audiences: ['api://AzureADTokenExchange'] };
  it('fills defaults: V3 without extra fields, the installation maximum, RS256, no extra claims', () => {
    expect(parseAudienceProfileSettings(valid)).toEqual({
      ...valid,
      oidcConfig: { version: 'v3', extraSubFields: [] },
      lifetimeSeconds: 3600,
      signingAlgorithm: 'RS256',
      extraClaims: [],
    });
  });
  it.each([
    [{ ...valid, name: 'Azure' }, 'name: must be 1 to 63 lowercase letters'],
    [{ ...valid, audiences: [] }, 'audiences: must be a list of at least one audience or pattern'],
    [{ ...valid, audiences: ['a', 'a'] }, 'audiences[1]: "a" is listed twice'],
    [
      { ...valid, oidcConfig: { v3: { extraSubFields: ['nope'] } } },
      'oidcConfig.v3.extraSubFields[0]: "nope" is not an allowed field',
    ],
    [
      { ...valid, lifetimeSeconds: 3601 },
      'lifetimeSeconds: must be a whole number of seconds from 60 to 3600',
    ],
    [{ ...valid, lifetimeSeconds: 59 }, 'lifetimeSeconds: must be a whole number of seconds from 60 to 3600'],
    [{ ...valid, signingAlgorithm: 'HS256' }, 'signingAlgorithm: must be one of RS256, ES256'],
    [
      { ...valid, signingAlgorithm: 'ES256' },
      'signingAlgorithm: ES256 keys are not available on this installation yet',
    ],
    [
      { ...valid, extraClaims: [{ name: 'sub', from: 'project_id' }] },
      'extraClaims[0].name: "sub" is a protocol or envid claim',
    ],
    [
      { ...valid, extraClaims: [{ name: 'azp', value: 'x' }] },
      'extraClaims[0].name: "azp" is a protocol or envid claim',
    ],
    [
      { ...valid, extraClaims: [{ name: 'team', from: 'password' }] },
      'extraClaims[0].from: "password" is not an allowed field',
    ],
    [
      { ...valid, extraClaims: [{ name: 'team', from: 'project_id', value: 'x' }] },
      'extraClaims[0]: must set exactly one of',
    ],
    [
      {
        ...valid,
        extraClaims: [
          { name: 'a', value: 'x' },
          { name: 'a', value: 'y' },
        ],
      },
      'extraClaims[1].name: "a" is listed twice',
    ],
    [{ ...valid, other: 1 }, 'profile: unknown member "other"'],
  ])('refuses %j', (input, message) => {
    const error = errorOf(() => parseAudienceProfileSettings(input));
    expect(error.code).toBe('invalid_argument');
    expect(error.message).toContain(message);
  });
  it('takes a lower installation maximum and ES256 once keys exist', () => {
    expect(
      errorOf(() =>
        parseAudienceProfileSettings({ ...valid, lifetimeSeconds: 1000 }, { maxLifetimeSeconds: 900 }),
      ).message,
    ).toContain('from 60 to 900');
    expect(
      parseAudienceProfileSettings(
        { ...valid, signingAlgorithm: 'ES256' },
        { availableAlgorithms: ['RS256', 'ES256'] },
      ).signingAlgorithm,
    ).toBe('ES256');
  });
});

describe('extra claims', () => {
  it('take a sub field of the principal or a fixed text, and skip what the principal lacks', () => {
    const extra = validateExtraClaims([
      { name: 'project', from: 'project_id' },
      { name: 'env', value: 'prod' },
      { name: 'runner', from: 'runner_id' },
    ]);
    expect(resolveExtraClaims({ organization_id: 'o', project_id: 'p' } as never, extra)).toEqual({
      project: 'p',
      env: 'prod',
    });
  });
});

describe('token payloads shaped by a profile (pure, no server)', () => {
  const base: TokenRequest = {
    issuer: 'https://envid.example.com',
    audiences: ['sts.amazonaws.com'],
    now: new Date(Date.UTC(2026, 5, 1, 8, 30, 15)),
    jti: 'a0b1c2d3-e4f5-4a6b-8c7d-8e9f0a1b2c3d',
    subject: subjects.projectEnvironment,
    oidcConfig: { version: 'v3', extraSubFields: [] },
  };
  const profile = (version: number, extraSubFields: string[]): TokenProfile => ({
    id: 'p1',
    name: 'aws',
    version,
    oidcConfig: { version: 'v3', extraSubFields },
    lifetimeSeconds: 900,
    signingAlgorithm: 'RS256',
    extraClaims: [{ name: 'team', value: `v${version}` }],
  });
  const withProfile = (p: TokenProfile, audiences = ['sts.amazonaws.com']): TokenRequest => ({
    ...base,
    audiences,
    profiles: [matchable({ ...p, audiences: ['sts.amazonaws.com'] })],
  });

  it('no profiles and an empty list give the very same payload', () => {
    expect(buildTokenPayload({ ...base, profiles: [] }).json).toBe(buildTokenPayload(base).json);
  });

  it('alternating shapes for one subject, and a new version of a profile, each get their own claims', () => {
    const v1 = profile(1, ['environment_id']);
    const v2 = profile(2, []);
    const plain = buildTokenPayload(base);
    for (let round = 0; round < 3; round++) {
      const shaped = buildTokenPayload(withProfile(v1));
      expect(shaped.standard.sub).toBe(
        `${plain.standard.sub}:environment_id:${subjects.projectEnvironment.environment.id}`,
      );
      expect(JSON.parse(shaped.json).team).toBe('v1');
      expect(shaped.standard.exp - shaped.standard.iat).toBe(900);
      expect(buildTokenPayload(withProfile(v1, ['elsewhere'])).json).toBe(
        buildTokenPayload({ ...base, audiences: ['elsewhere'] }).json,
      );
      const changed = buildTokenPayload(withProfile(v2));
      expect(changed.standard.sub).toBe(plain.standard.sub);
      expect(JSON.parse(changed.json).team).toBe('v2');
    }
  });

  it('buildTokenPayload writes exactly the JSON of buildTokenClaims with a profile too', () => {
    const request = withProfile(profile(3, ['project_id']));
    expect(buildTokenPayload(request).json).toBe(JSON.stringify(buildTokenClaims(request).claims));
    expect(buildTokenClaims(request).profile?.name).toBe('aws');
  });
});

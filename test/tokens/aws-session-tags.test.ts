import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  awsSessionTagLimits,
  awsTagsClaimValue,
  parseAwsSessionTags,
  tagKeyProblem,
  tagValueProblem,
} from '../../src/core/tokens/aws-session-tags.ts';
import { buildPrincipalClaims } from '../../src/core/tokens/principal-claims.ts';
import { subjects } from './principals.ts';

const refusal = (input: unknown) => {
  try {
    parseAwsSessionTags(input);
  } catch (error) {
    return (error as Error).message;
  }
  return undefined;
};

describe('AWS session tags: configuration within STS limits', () => {
  it('takes tag keys mapped to sub fields, and transitive keys among them', () => {
    expect(
      parseAwsSessionTags({
        principalTags: {
          organization_id: 'organization_id',
          Project: 'project_id',
          team: 'creator_idp_claims.department',
        },
        transitiveTagKeys: ['Project'],
      }),
    ).toEqual({
      principalTags: {
        organization_id: 'organization_id',
        Project: 'project_id',
        team: 'creator_idp_claims.department',
      },
      transitiveTagKeys: ['Project'],
    });
  });

  it.each([
    [{ principalTags: {} }, 'must name at least one tag'],
    [{ principalTags: { 'aws:project': 'project_id' } }, 'reserved by AWS'],
    [{ principalTags: { 'AWS:x': 'project_id' } }, 'reserved by AWS'],
    [{ principalTags: { 'project#1': 'project_id' } }, 'letters, digits, spaces'],
    [{ principalTags: { ['k'.repeat(129)]: 'project_id' } }, 'longer than 128'],
    [{ principalTags: { Project: 'project_id', project: 'organization_id' } }, 'only in case'],
    [{ principalTags: { project: 'no_such_claim' } }, 'is not an allowed field'],
    [{ principalTags: { project: 7 } }, 'must be a field name'],
    [
      { principalTags: { project: 'project_id' }, transitiveTagKeys: ['team'] },
      'one of the keys of principalTags',
    ],
    [
      { principalTags: { project: 'project_id' }, transitiveTagKeys: ['project', 'project'] },
      'lists a key twice',
    ],
    [{ principalTags: { project: 'project_id' }, tags: {} }, 'is not a session tag setting'],
  ])('refuses %j naming the field and the rule', (input, message) => {
    expect(refusal(input)).toContain(message);
    expect(refusal(input)).toMatch(/^awsSessionTags/);
  });

  it(`refuses more than ${awsSessionTagLimits.maxTags} tags`, () => {
    const principalTags = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`tag${i}`, 'project_id']));
    expect(refusal({ principalTags })).toContain('at most 50 session tags');
    delete principalTags['tag50'];
    expect(refusal({ principalTags })).toBeUndefined();
  });

  it('counts characters, not UTF-16 units, as AWS does', () => {
    expect(tagKeyProblem('ü'.repeat(128))).toBeUndefined();
    expect(tagKeyProblem('𝔸'.repeat(128))).toBeUndefined();
    expect(tagValueProblem('𝔸'.repeat(256))).toBeUndefined();
    expect(tagValueProblem('𝔸'.repeat(257))).toContain('longer than 256');
  });
});

describe('AWS session tags in a token', () => {
  const tags = parseAwsSessionTags({
    principalTags: {
      organization_id: 'organization_id',
      project_id: 'project_id',
      team: 'creator_idp_claims.department',
      groups: 'creator_idp_claims.groups',
    },
    transitiveTagKeys: ['project_id', 'team'],
  });

  it('carries each tag the principal has, as a one-value list, and the transitive keys present', () => {
    const claims = buildPrincipalClaims(subjects.projectEnvironment);
    expect(awsTagsClaimValue(tags, claims)).toEqual({
      principal_tags: {
        organization_id: [claims.organization_id],
        project_id: [claims.project_id],
        team: ['engines:analytical'],
      },
      transitive_tag_keys: ['project_id', 'team'],
    });
  });

  it('leaves out tags the principal lacks (an array claim too), and the claim when none is left', () => {
    const claims = buildPrincipalClaims(subjects.bareEnvironment);
    expect(awsTagsClaimValue(tags, claims)).toEqual({
      principal_tags: { organization_id: [claims.organization_id] },
    });
    const runnerOnly = parseAwsSessionTags({ principalTags: { project: 'project_id' } });
    expect(awsTagsClaimValue(runnerOnly, buildPrincipalClaims(subjects.runner))).toBeUndefined();
  });

  it('never carries a value STS would refuse: property over values', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300, unit: 'grapheme' }), (value) => {
        const claims = { ...buildPrincipalClaims(subjects.ssoUser), idp_claims: { department: value } };
        const claim = awsTagsClaimValue(
          parseAwsSessionTags({ principalTags: { team: 'idp_claims.department' } }),
          claims,
        );
        const carried = claim?.principal_tags['team']?.[0];
        if (carried === undefined) return;
        expect(carried).toBe(value);
        expect(tagValueProblem(carried)).toBeUndefined();
        expect([...carried].length).toBeLessThanOrEqual(256);
        expect(carried).toMatch(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u);
      }),
    );
  });
});

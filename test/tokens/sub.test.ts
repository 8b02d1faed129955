import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { plainSubFields } from '../../src/core/tokens/claims.ts';
import {
  composeV2Sub,
  composeV3Sub,
  composeV3SubPairs,
  subjectSub,
} from '../../src/core/tokens/compose-sub.ts';
import { buildPrincipalClaims } from '../../src/core/tokens/principal-claims.ts';
import {
  decodeSubValue,
  encodeSubValue,
  joinSubPairs,
  splitSub,
} from '../../src/core/tokens/sub-encoding.ts';
import { orgId, project, projectEnvironment, runner, ssoUser, subjects } from './principals.ts';

describe('sub value encoding', () => {
  it('encodes % then : and nothing else', () => {
    expect(encodeSubValue('https://github.com/org/repo.git')).toBe('https%3A//github.com/org/repo.git');
    expect(encodeSubValue('100%:done')).toBe('100%25%3Adone');
    expect(encodeSubValue('%3A')).toBe('%253A');
    expect(encodeSubValue('a b/c?d=e&f#g@h')).toBe('a b/c?d=e&f#g@h');
    expect(decodeSubValue('%253A')).toBe('%3A');
    expect(decodeSubValue('100%25%3Adone')).toBe('100%:done');
  });

  it('splits a sub back into its pairs', () => {
    expect(splitSub('organization_id:o:environment_initializers.git.remote_uri:https%3A//x/y.git')).toEqual([
      ['organization_id', 'o'],
      ['environment_initializers.git.remote_uri', 'https://x/y.git'],
    ]);
    expect(() => splitSub('organization_id')).toThrow(/key:value pairs/);
    expect(() => splitSub('')).toThrow(/key:value pairs/);
    expect(() => splitSub(':x')).toThrow(/key is empty/);
  });

  // Keys as configuration allows them: never empty, never holding ':'.
  const key = fc.string({ minLength: 1, maxLength: 20 }).filter((k) => !k.includes(':'));
  const value = fc.string({
    minLength: 1,
    maxLength: 30,
    unit: fc.constantFrom('%', ':', '3', 'A', '2', '5', 'a', '/', 'é', ' '),
  });
  const anyValue = fc.string({ minLength: 1, maxLength: 30, unit: 'grapheme' });
  const pairs = fc.array(fc.tuple(key, fc.oneof(value, anyValue)), { minLength: 1, maxLength: 8 });

  it('is reversible for every list of pairs (property)', () => {
    fc.assert(
      fc.property(pairs, (list) => {
        expect(splitSub(joinSubPairs(list))).toEqual(list);
        for (const [, v] of list) expect(decodeSubValue(encodeSubValue(v))).toBe(v);
      }),
      { numRuns: 2000 },
    );
  });

  it('never gives two different lists of pairs the same sub (property)', () => {
    fc.assert(
      fc.property(pairs, pairs, (a, b) => {
        fc.pre(JSON.stringify(a) !== JSON.stringify(b));
        expect(joinSubPairs(a)).not.toBe(joinSubPairs(b));
      }),
      { numRuns: 2000 },
    );
  });

  it('never gives different field lists the same sub for a principal that has every field (property)', () => {
    const claims = buildPrincipalClaims(subjects.projectEnvironment);
    // Fields this environment has a string value for (those it lacks are left out by design).
    const present = plainSubFields.filter((f) =>
      composeV3SubPairs('environment', claims, [f]).some(([k]) => k === f),
    );
    const field = fc.constantFrom(...present, 'creator_idp_claims.department');
    const lists = fc.uniqueArray(field, { maxLength: 8 });
    fc.assert(
      fc.property(lists, lists, (a, b) => {
        const subA = composeV3Sub('environment', claims, a);
        const subB = composeV3Sub('environment', claims, b);
        const effective = (l: string[]) =>
          composeV3SubPairs('environment', claims, l)
            .map(([k]) => k)
            .join(',');
        fc.pre(effective(a) !== effective(b));
        expect(subA).not.toBe(subB);
      }),
      { numRuns: 1000 },
    );
  });

  it('never gives principals with different values the same sub (property)', () => {
    const text = fc.string({
      minLength: 1,
      maxLength: 12,
      unit: fc.constantFrom('%', ':', 'a', '3', 'A', '/'),
    });
    fc.assert(
      fc.property(text, text, (a, b) => {
        fc.pre(a !== b);
        const subOf = (remote: string) =>
          subjectSub(
            {
              ...subjects.projectEnvironment,
              environment: { ...projectEnvironment, initializers: [{ git: { remoteUri: remote } }] },
            },
            { version: 'v3', extraSubFields: ['environment_initializers.git.remote_uri', 'runner_id'] },
          );
        expect(subOf(a)).not.toBe(subOf(b));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('V3 sub composition', () => {
  const v3 = (extraSubFields: string[]) => ({ version: 'v3' as const, extraSubFields });

  it('starts with the default keys of each principal kind', () => {
    expect(subjectSub(subjects.projectEnvironment, v3([]))).toBe(
      `organization_id:${orgId}:project_id:${project.id}`,
    );
    expect(subjectSub(subjects.bareEnvironment, v3([]))).toBe(`organization_id:${orgId}`);
    expect(subjectSub(subjects.ssoUser, v3([]))).toBe(`organization_id:${orgId}:user_id:${ssoUser.id}`);
    expect(subjectSub(subjects.serviceAccount, v3([]))).toMatch(
      /^organization_id:[^:]+:service_account_id:[^:]+$/,
    );
    expect(subjectSub(subjects.runner, v3([]))).toBe(`organization_id:${orgId}:runner_id:${runner.id}`);
  });

  it('appends extra fields in order, never repeats a key, leaves out absent and non-string values', () => {
    const sub = subjectSub(
      subjects.ssoUser,
      v3(['email', 'user_id', 'project_id', 'idp_claims.groups', 'idp_claims.missing', 'idp', 'email']),
    );
    expect(splitSub(sub)).toEqual([
      ['organization_id', orgId],
      ['user_id', ssoUser.id],
      ['email', 'ada@example.com'],
      ['idp', 'https://sso.example.com/'],
    ]);
  });

  it('takes the first initializer that has each dotted member', () => {
    const subject = {
      ...subjects.projectEnvironment,
      environment: {
        ...projectEnvironment,
        initializers: [
          { contextUrl: 'https://ctx/1' },
          { git: { upstreamRemoteUri: 'https://up/only.git' } },
          { git: { remoteUri: 'https://first/remote.git' }, contextUrl: 'https://ctx/2' },
          { git: { remoteUri: 'https://second/remote.git', upstreamRemoteUri: 'https://up/second.git' } },
        ],
      },
    };
    const sub = subjectSub(
      subject,
      v3([
        'environment_initializers.git.remote_uri',
        'environment_initializers.git.upstream_remote_uri',
        'environment_initializers.context_url',
      ]),
    );
    expect(sub).toBe(
      `organization_id:${orgId}:project_id:${project.id}` +
        ':environment_initializers.git.remote_uri:https%3A//first/remote.git' +
        ':environment_initializers.git.upstream_remote_uri:https%3A//up/only.git' +
        ':environment_initializers.context_url:https%3A//ctx/1',
    );
  });

  it('reads creator_idp_claims for environments and idp_claims for users only', () => {
    const fields = v3(['creator_idp_claims.department', 'idp_claims.department']);
    expect(splitSub(subjectSub(subjects.projectEnvironment, fields)).at(-1)).toEqual([
      'creator_idp_claims.department',
      'engines:analytical',
    ]);
    expect(splitSub(subjectSub(subjects.ssoUser, fields)).at(-1)).toEqual([
      'idp_claims.department',
      'engines:analytical',
    ]);
    expect(subjectSub(subjects.plainUser, fields)).toBe(subjectSub(subjects.plainUser, v3([])));
  });

  it('does not read inherited properties as claims', () => {
    expect(subjectSub(subjects.ssoUser, v3(['idp_claims.constructor', 'idp_claims.__proto__']))).toBe(
      subjectSub(subjects.ssoUser, v3([])),
    );
  });
});

describe('V2 sub', () => {
  it('is path-shaped per principal kind', () => {
    expect(composeV2Sub(subjects.projectEnvironment)).toBe(
      `org:${orgId}/prj:${project.id}/env:${projectEnvironment.id}`,
    );
    expect(composeV2Sub(subjects.bareEnvironment)).toMatch(new RegExp(`^org:${orgId}/env:[0-9a-f-]{36}$`));
    expect(composeV2Sub(subjects.ssoUser)).toBe(`org:${orgId}/user:${ssoUser.id}`);
    expect(composeV2Sub(subjects.serviceAccount)).toMatch(new RegExp(`^org:${orgId}/sa:[0-9a-f-]{36}$`));
    expect(composeV2Sub(subjects.runner)).toBe(`org:${orgId}/rnr:${runner.id}`);
  });
});

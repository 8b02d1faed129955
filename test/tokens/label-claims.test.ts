import { describe, expect, it } from 'vitest';
import type { OidcConfig } from '../../src/core/domain/oidc-config.ts';
import { buildTokenClaims } from '../../src/core/tokens/issue-token.ts';
import { oidcConfigToMessage, parseOidcConfig } from '../../src/core/tokens/oidc-config.ts';
import { previewToken } from '../../src/core/tokens/preview-token.ts';
import { splitSub } from '../../src/core/tokens/sub-encoding.ts';
import { subFieldReader } from '../../src/core/tokens/sub-field-readers.ts';
import type { TokenSubject } from '../../src/core/tokens/token-subject.ts';
import { scopeSubject } from '../../src/core/tokens/trust-scope.ts';
import { labelFields, orgId, project, subjects } from './principals.ts';

/** Labels as claims (only with labelClaims) and as sub fields (always allowed), with the %/: encoding. */

const claimsOf = (subject: TokenSubject, oidcConfig: OidcConfig) =>
  buildTokenClaims({
    issuer: 'https://id.example.com',
    audiences: ['aud'],
    now: new Date(Date.UTC(2026, 0, 2)),
    jti: 'j',
    subject: structuredClone(subject),
    oidcConfig,
  }).claims as unknown as Record<string, unknown>;

describe('labels in tokens', () => {
  it('as sub fields without labelClaims: in the sub, not in the claims', () => {
    const claims = claimsOf(subjects.projectEnvironment, { version: 'v3', extraSubFields: labelFields });
    expect(claims).not.toHaveProperty('project_labels');
    expect(claims).not.toHaveProperty('environment_labels');
    expect(claims.sub).toBe(
      `organization_id:${orgId}:project_id:${project.id}:project_labels.team:web%3Acore:project_labels.cost.center:42%25:environment_labels.note:a%3Ab%253A`,
    );
    // The encoding is reversible: splitting the sub gives back the labels' own values.
    expect(splitSub(claims.sub as string).slice(2)).toEqual([
      ['project_labels.team', 'web:core'],
      ['project_labels.cost.center', '42%'],
      ['environment_labels.note', 'a:b%3A'],
    ]);
  });

  it('as claims with labelClaims and no label sub field: the sub is the default one', () => {
    const claims = claimsOf(subjects.projectEnvironment, {
      version: 'v3',
      extraSubFields: [],
      labelClaims: true,
    });
    expect(claims.sub).toBe(`organization_id:${orgId}:project_id:${project.id}`);
    expect(claims.project_labels).toEqual({ 'cost.center': '42%', team: 'web:core' });
    expect(claims.environment_labels).toEqual({ empty: '', note: 'a:b%3A', tier: 'ci' });
  });

  it('other principals and an environment without labels or project carry none, whatever is asked', () => {
    const asked: OidcConfig = { version: 'v3', extraSubFields: labelFields, labelClaims: true };
    for (const subject of [
      subjects.bareEnvironment,
      subjects.ssoUser,
      subjects.serviceAccount,
      subjects.runner,
    ]) {
      const claims = claimsOf(subject, asked);
      expect(claims).not.toHaveProperty('project_labels');
      expect(claims).not.toHaveProperty('environment_labels');
      expect(claims.sub).not.toContain('labels');
    }
  });

  it('takes project labels only from the project the environment names', () => {
    const stray = { ...subjects.projectEnvironment, project: { ...project, id: 'another' } };
    const claims = claimsOf(stray, {
      version: 'v3',
      extraSubFields: ['project_labels.team'],
      labelClaims: true,
    });
    expect(claims).not.toHaveProperty('project_labels');
    expect(claims.sub).toBe(`organization_id:${orgId}:project_id:${project.id}`);
    expect(subFieldReader('environment', 'project_labels.team')(stray)).toBeUndefined();
  });

  it('the preview shows the claims a token would carry', () => {
    const without = previewToken(subjects.projectEnvironment, {
      version: 'v3',
      extraSubFields: ['project_labels.team'],
    });
    expect(without.claims).not.toHaveProperty('project_labels');
    expect(without.sub).toContain(':project_labels.team:web%3Acore');
    const withClaims = previewToken(subjects.projectEnvironment, {
      version: 'v3',
      extraSubFields: [],
      labelClaims: true,
    });
    expect(withClaims.claims).toHaveProperty('project_labels', { 'cost.center': '42%', team: 'web:core' });
  });

  it('a project trust whose sub holds a label is a prefix, since environments may differ', () => {
    const projectScope = { kind: 'project', projectId: project.id } as const;
    const projectSub = `organization_id:${orgId}:project_id:${project.id}`;
    for (const field of ['project_labels.team', 'environment_labels.tier']) {
      const planned = scopeSubject(projectScope, orgId, { version: 'v3', extraSubFields: [field] }, []);
      expect(planned.patterns, field).toEqual([projectSub, `${projectSub}:*`]);
    }
  });
});

describe('the configuration', () => {
  it('allows project_labels.<key> and environment_labels.<key> with a label key', () => {
    const config = parseOidcConfig({
      v3: { extraSubFields: ['project_labels.cost.center', 'environment_labels.tier'] },
    });
    expect(config).toEqual({
      version: 'v3',
      extraSubFields: ['project_labels.cost.center', 'environment_labels.tier'],
    });
  });

  it.each([
    [
      'project_labels.Team',
      /^oidcConfig\.v3\.extraSubFields\[0\]: "project_labels\.Team" label key must be 1-63 characters of a-z, 0-9/,
    ],
    ['environment_labels.', /"environment_labels\." needs a label key after "environment_labels\."/],
    ['project_labels.a:b', /label key must be/],
    [`project_labels.${'k'.repeat(64)}`, /label key must be 1-63 characters/],
    [
      'project_labels',
      /"project_labels" is not an allowed field; allowed: .*project_labels\.<key>, environment_labels\.<key>/,
    ],
  ])('refuses %s', (field, message) => {
    expect(() => parseOidcConfig({ v3: { extraSubFields: [field] } })).toThrow(message);
  });

  it('labelClaims: true is stored and answered; false and absent store nothing', () => {
    const on = parseOidcConfig({ v3: { extraSubFields: [], labelClaims: true } });
    expect(on).toEqual({ version: 'v3', extraSubFields: [], labelClaims: true });
    expect(oidcConfigToMessage(on)).toEqual({ v3: { extraSubFields: [], labelClaims: true } });
    const off = parseOidcConfig({ v3: { extraSubFields: [], labelClaims: false } });
    expect(off).toEqual({ version: 'v3', extraSubFields: [] });
    expect(Object.keys(off)).toEqual(['version', 'extraSubFields']);
    expect(oidcConfigToMessage(off)).toEqual({ v3: { extraSubFields: [] } });
    expect(() => parseOidcConfig({ v3: { labelClaims: 'yes' } })).toThrow(
      'oidcConfig.v3.labelClaims: must be true or false',
    );
    expect(() => parseOidcConfig({ v2: { labelClaims: true } })).toThrow(
      /oidcConfig\.v2: V2 takes no extra sub fields/,
    );
  });
});

import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/core/errors.ts';
import { oidcConfigToMessage, parseOidcConfig } from '../../src/core/tokens/oidc-config.ts';
import { previewToken } from '../../src/core/tokens/preview-token.ts';
import { changesAnySub, findSubChanges } from '../../src/core/tokens/sub-changes.ts';
import { computeOidcConfigWarnings } from '../../src/relying-parties/oidc-config-warnings.ts';
import { thrown } from '../support/thrown.ts';
import { orgId, projectEnvironment, runner, ssoUser, subjects } from './principals.ts';

const refusal = (input: unknown): ApiError => thrown(() => parseOidcConfig(input), ApiError);

describe('OIDC configuration validation', () => {
  it('accepts V3 with allowed fields (plain, dotted, forwarded claims) and V2', () => {
    const fields = [
      'environment_initializers.git.remote_uri',
      'creator_idp_claims.groups',
      'idp_claims.example.com/team',
      'runner_name',
    ];
    expect(parseOidcConfig({ v3: { extraSubFields: fields } })).toEqual({
      version: 'v3',
      extraSubFields: fields,
    });
    expect(parseOidcConfig({ v3: {} })).toEqual({ version: 'v3', extraSubFields: [] });
    expect(parseOidcConfig({ v2: {} })).toEqual({ version: 'v2' });
    expect(oidcConfigToMessage({ version: 'v3', extraSubFields: ['email'] })).toEqual({
      v3: { extraSubFields: ['email'] },
    });
    expect(oidcConfigToMessage({ version: 'v2' })).toEqual({ v2: {} });
  });

  it('accepts exactly 50 fields and refuses 51', () => {
    const fifty = Array.from({ length: 50 }, (_, i) => `idp_claims.c${i}`);
    expect(parseOidcConfig({ v3: { extraSubFields: fifty } })).toMatchObject({ extraSubFields: fifty });
    expect(refusal({ v3: { extraSubFields: [...fifty, 'email'] } }).message).toBe(
      'oidcConfig.v3.extraSubFields: 51 fields given; at most 50 are allowed',
    );
  });

  it('refuses an unknown field and lists what is allowed', () => {
    const error = refusal({ v3: { extraSubFields: ['email', 'password'] } });
    expect(error.code).toBe('invalid_argument');
    expect(error.message).toMatch(
      /^oidcConfig\.v3\.extraSubFields\[1\]: "password" is not an allowed field; allowed: /,
    );
    for (const allowed of [
      'organization_id',
      'runner_name',
      'environment_initializers.context_url',
      'idp_claims.<key>',
    ]) {
      expect(error.message).toContain(allowed);
    }
  });

  it.each([
    [{ v3: { extraSubFields: ['email', 'email'] } }, /\[1\]: "email" is listed twice/],
    [{ v3: { extraSubFields: [''] } }, /\[0\]: must not be empty; allowed: /],
    [{ v3: { extraSubFields: [7] } }, /\[0\]: must be a string/],
    [{ v3: { extraSubFields: 'email' } }, /extraSubFields: must be a list/],
    [{ v3: { extraSubFields: ['idp_claims.'] } }, /needs a claim name after "idp_claims\."/],
    [{ v3: { extraSubFields: ['idp_claims.a:b'] } }, /must not contain ":"/],
    [{ v3: { extraSubFields: ['idp_claims.a b'] } }, /must not contain ":", whitespace/],
    [{ v3: { extraSubFields: ['environment_initializers.git'] } }, /is not an allowed field/],
    [{ v3: { extraSubFields: ['Email'] } }, /is not an allowed field/],
    [{ v2: { extraSubFields: ['email'] } }, /^oidcConfig\.v2: V2 takes no extra sub fields/],
    [{ v2: {}, v3: {} }, /exactly one of "v3" or "v2"/],
    [{}, /exactly one of "v3" or "v2"/],
    [{ v4: {} }, /unknown member "v4"/],
    [{ v3: { extraSubFields: [], more: 1 } }, /unknown member "more"/],
    [null, /must be \{"v3"/],
  ])('refuses %j', (input, message) => {
    const error = refusal(input);
    expect(error.code).toBe('invalid_argument');
    expect(error.message).toMatch(message);
  });
});

describe('OIDC configuration warnings', () => {
  const all = Object.values(subjects);

  it('has none for the default configuration', () => {
    expect(computeOidcConfigWarnings({ version: 'v3', extraSubFields: [] }, all)).toEqual([]);
  });

  it('warns about an e-mail in sub (AWS CloudTrail), by field and by value', () => {
    const byField = computeOidcConfigWarnings({ version: 'v3', extraSubFields: ['creator_email'] }, []);
    expect(byField.map((w) => w.code)).toEqual(['personal_data_in_subject']);
    expect(byField[0]!.message).toContain('CloudTrail');
    const byValue = computeOidcConfigWarnings({ version: 'v3', extraSubFields: ['idp_claims.d'] }, [
      { ...subjects.ssoUser, user: { ...ssoUser, idpClaims: { d: 'x@c.io' } } },
    ]);
    expect(byValue.map((w) => w.code)).toEqual(['personal_data_in_subject']);
    expect(byValue[0]!.principals).toEqual([{ kind: 'user', id: ssoUser.id }]);
  });

  it("warns about Azure's 600 characters and Google's 127 bytes", () => {
    const long = (n: number) => ({
      ...subjects.projectEnvironment,
      environment: { ...projectEnvironment, initializers: [{ contextUrl: `https://x/${'é'.repeat(n)}` }] },
    });
    const config = { version: 'v3' as const, extraSubFields: ['environment_initializers.context_url'] };
    // The default keys take 109 characters; 'é' is two bytes.
    expect(computeOidcConfigWarnings(config, [long(1)]).map((w) => w.code)).toEqual([
      'google_subject_too_long',
    ]);
    expect(computeOidcConfigWarnings(config, [long(600)]).map((w) => w.code)).toEqual([
      'azure_subject_too_long',
      'google_subject_too_long',
    ]);
  });

  it('warns when principals need more than 20 Azure federated credentials, or one per environment', () => {
    const runners = Array.from({ length: 21 }, (_, i) => ({
      kind: 'runner' as const,
      runner: { ...runner, id: `40a15d43-6f7e-4081-b293-${String(i).padStart(12, '0')}` },
    }));
    expect(computeOidcConfigWarnings({ version: 'v3', extraSubFields: [] }, runners.slice(0, 20))).toEqual(
      [],
    );
    expect(
      computeOidcConfigWarnings({ version: 'v3', extraSubFields: [] }, runners).map((w) => w.code),
    ).toEqual(['azure_too_many_credentials']);
    expect(
      computeOidcConfigWarnings({ version: 'v3', extraSubFields: ['environment_id'] }, []).map((w) => w.code),
    ).toEqual(['azure_subject_per_environment']);
  });
});

describe('sub changes between configurations', () => {
  const all = Object.values(subjects);
  const v3 = (extraSubFields: string[]) => ({ version: 'v3' as const, extraSubFields });

  it('finds none when only fields no principal has are added', () => {
    expect(changesAnySub(v3([]), v3(['idp_claims.nobody_has_this']), all)).toBe(false);
    expect(changesAnySub(v3([]), v3(['organization_id']), all)).toBe(false);
  });

  it('finds the principals whose sub changes', () => {
    const changes = findSubChanges(v3([]), v3(['runner_name']), all);
    expect(changes).toEqual([
      {
        kind: 'runner',
        id: runner.id,
        before: `organization_id:${orgId}:runner_id:${runner.id}`,
        after: `organization_id:${orgId}:runner_id:${runner.id}:runner_name:eu-west runner`,
      },
    ]);
    expect(findSubChanges(v3([]), { version: 'v2' }, all)).toHaveLength(all.length);
    expect(changesAnySub(v3(['email', 'name']), v3(['name', 'email']), [subjects.ssoUser])).toBe(true);
  });

  it('previews sub and claims per principal', () => {
    expect(previewToken(subjects.runner, { version: 'v2' })).toEqual({
      kind: 'runner',
      id: runner.id,
      sub: `org:${orgId}/rnr:${runner.id}`,
      claims: { org: orgId, gsub: { id: runner.id, principal: 'PRINCIPAL_RUNNER' } },
    });
    expect(previewToken(subjects.runner, v3(['runner_name'])).claims).toMatchObject({
      runner_name: 'eu-west runner',
    });
  });
});
